using ConnectorKit.Connectors;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a connector gateway's endpoints.</summary>
public static class ConnectorKitGatewayEndpointRouteBuilderExtensions
{
    /// <summary>Maps the contract (with health and reflection) and the connector's own endpoints for the bank's webhooks or notifications.</summary>
    public static IEndpointRouteBuilder MapConnectorKitGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapConnectorKitServer();
        endpoints.ServiceProvider.GetRequiredService<BankConnector>().MapEndpoints(endpoints);
        return endpoints;
    }
}
