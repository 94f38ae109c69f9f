using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Receiver.Internal;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the platform's LoanEvents callback receiver onto ASP.NET Core endpoints.</summary>
public static class ConnectorKitCallbacksEndpointRouteBuilderExtensions
{
    /// <summary>Maps LoanEventsService (see <c>AddConnectorKitCallbacks</c>). Returns its endpoints' builder, e.g. to require a host or a policy.</summary>
    /// <exception cref="InvalidOperationException">No <see cref="ILoanEventHandler"/> is registered.</exception>
    public static IEndpointConventionBuilder MapConnectorKitCallbacks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<ILoanEventHandler>() is null)
        {
            throw new InvalidOperationException("Register the platform's ILoanEventHandler (e.g. services.AddSingleton<ILoanEventHandler, MyHandler>()) before mapping the callback receiver.");
        }

        return endpoints.MapGrpcService<LoanEventsReceiver>();
    }
}
