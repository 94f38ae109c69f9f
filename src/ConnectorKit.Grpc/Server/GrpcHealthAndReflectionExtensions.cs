using ConnectorKit.Grpc.Health;
using ConnectorKit.Grpc.Reflection;
using ConnectorKit.Grpc.Server.Internal;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the standard health and reflection services.</summary>
public static class GrpcHealthAndReflectionExtensions
{
    /// <summary>Maps <c>grpc.health.v1.Health</c>. Every service mapped on this server reports SERVING unless set otherwise.</summary>
    public static IEndpointConventionBuilder MapGrpcHealthChecksService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var builder = endpoints.MapGrpcService<HealthServiceImpl>();
        var health = endpoints.ServiceProvider.GetRequiredService<HealthServiceImpl>();
        var registry = endpoints.ServiceProvider.GetRequiredService<GrpcServiceRegistry>();
        registry.ServiceMapped += health.MarkServing;
        foreach (var descriptor in registry.Descriptors)
        {
            health.MarkServing(descriptor.FullName);
        }

        return builder;
    }

    /// <summary>Maps server reflection, <c>grpc.reflection.v1</c> and <c>v1alpha</c>.</summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var v1 = endpoints.MapGrpcService<ReflectionServiceImpl>();
        endpoints.MapGrpcService<ReflectionV1AlphaServiceImpl>();
        return v1;
    }
}
