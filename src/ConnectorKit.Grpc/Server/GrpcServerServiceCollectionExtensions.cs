using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Server.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ConnectorKit gRPC server.</summary>
public static class GrpcServerServiceCollectionExtensions
{
    /// <summary>Adds the gRPC server's services. Call <c>MapGrpcService&lt;T&gt;()</c> to expose services.</summary>
    public static IServiceCollection AddConnectorKitGrpc(this IServiceCollection services, Action<GrpcServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRouting();
        services.AddOptions<GrpcServiceOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton(typeof(ServiceActivator<>));
        services.TryAddSingleton<ConnectorKit.Grpc.Health.HealthServiceImpl>();
        services.TryAddSingleton(sp => new ConnectorKit.Grpc.Reflection.ReflectionServiceImpl(sp.GetRequiredService<GrpcServiceRegistry>()));
        services.TryAddSingleton<ConnectorKit.Grpc.Reflection.ReflectionV1AlphaServiceImpl>();
        return services;
    }
}
