using ConnectorKit.Server;
using ConnectorKit.Server.Services;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the ConnectorKit contract onto ASP.NET Core endpoints.</summary>
public static class ConnectorKitServerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps CreditDataService and LoanApplicationsService, plus health and reflection unless switched off in
    /// <see cref="ConnectorKitServerOptions"/>. Returns the builder of the contract's endpoints, e.g. to require authorization.
    /// </summary>
    public static IEndpointConventionBuilder MapConnectorKitServer(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ConnectorKitServerOptions>>().Value;
        var creditData = endpoints.MapGrpcService<CreditDataServiceImpl>();
        var applications = endpoints.MapGrpcService<LoanApplicationsServiceImpl>();
        if (options.EnableHealth)
        {
            endpoints.MapGrpcHealthChecksService();
        }

        if (options.EnableReflection)
        {
            endpoints.MapGrpcReflectionService();
        }

        return new Both(creditData, applications);
    }

    private sealed class Both(IEndpointConventionBuilder first, IEndpointConventionBuilder second) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            first.Add(convention);
            second.Add(convention);
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            first.Finally(finallyConvention);
            second.Finally(finallyConvention);
        }
    }
}
