using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Server.Internal;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps gRPC services onto ASP.NET Core endpoints.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Exposes every method of <typeparamref name="TService"/> (a class deriving from a generated <c>…Base</c>) at
    /// <c>/{service}/{method}</c>. An instance is taken from DI when registered, otherwise created per call.
    /// Unknown methods and services get UNIMPLEMENTED.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddConnectorKitGrpc() before mapping gRPC services.");
        return EndpointServiceBinder<TService>.Map(endpoints, registry);
    }
}
