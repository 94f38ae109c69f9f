using System.Reflection;
using ConnectorKit.Grpc.Internal;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>Receives a generated service's methods and maps one POST endpoint per method.</summary>
internal sealed class EndpointServiceBinder<TService> : ServiceBinder<TService>
    where TService : class
{
    private readonly IEndpointRouteBuilder _endpoints;
    private readonly MethodOptions _options;
    private readonly IReadOnlyList<Interceptor> _interceptors;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ServiceActivator<TService> _activator;
    private readonly List<IEndpointConventionBuilder> _builders = [];
    private readonly HashSet<string> _methodNames = new(StringComparer.OrdinalIgnoreCase);
    private string? _serviceName;

    private EndpointServiceBinder(IEndpointRouteBuilder endpoints)
    {
        _endpoints = endpoints;
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        _options = new MethodOptions(options);
        _interceptors = [.. options.Interceptors.Select(r => r.Instance ?? (Interceptor)ActivatorUtilities.CreateInstance(services, r.Type, r.Arguments))];
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("ConnectorKit.Grpc.Server") ?? NullLogger.Instance;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _activator = services.GetRequiredService<ServiceActivator<TService>>();
    }

    public ServiceDescriptor? Descriptor { get; private set; }

    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        var attribute = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true)
            ?? throw new InvalidOperationException($"{typeof(TService)} is not a gRPC service: it must derive from a generated service base class.");
        var bindMethod = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{attribute.BindType} has no public static {attribute.BindMethodName} method.");

        var binder = new EndpointServiceBinder<TService>(endpoints);
        bindMethod.MakeGenericMethod(typeof(TService)).Invoke(null, [binder]);
        if (binder._serviceName is null)
        {
            throw new InvalidOperationException($"{typeof(TService)} has no methods to map.");
        }

        if (!registry.TryAdd(binder._serviceName, binder.Descriptor))
        {
            throw new InvalidOperationException($"Service '{binder._serviceName}' is already mapped.");
        }

        // Route precedence would put these parameter routes after the literal method routes anyway; the constraints
        // keep them off the mapped names altogether, which saves every call the fallbacks' route-value captures.
        var serviceName = binder._serviceName;
        var methodNames = binder._methodNames;
        var methodPattern = RoutePatternFactory.Parse(
            "/" + serviceName + "/{unimplementedMethod}",
            defaults: null,
            parameterPolicies: new RouteValueDictionary { ["unimplementedMethod"] = new UnmappedNameConstraint(methodNames.Contains) });
        binder._builders.Add(MapFallback(endpoints, methodPattern, "gRPC - unimplemented method of " + serviceName, "Method is unimplemented."));
        if (!registry.UnknownServiceFallbackMapped)
        {
            registry.UnknownServiceFallbackMapped = true;
            var servicePattern = RoutePatternFactory.Parse(
                "/{unimplementedService}/{unimplementedMethod}",
                defaults: null,
                parameterPolicies: new RouteValueDictionary { ["unimplementedService"] = new UnmappedNameConstraint(registry.IsMapped) });
            MapFallback(endpoints, servicePattern, "gRPC - unimplemented service", "Service is unimplemented.");
        }

        return new CompositeConventionBuilder(binder._builders);
    }

    public override void AddServiceDescriptor(ServiceDescriptor descriptor) => Descriptor = descriptor;

    public override void AddUnaryMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
        => Add(method, new UnaryServerCallHandler<TService, TRequest, TResponse>(method, invoker, _interceptors, _options, _logger, _timeProvider, _activator).HandleCallAsync);

    public override void AddClientStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker)
        => Add(method, new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _interceptors, _options, _logger, _timeProvider, _activator).HandleCallAsync);

    public override void AddServerStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
        => Add(method, new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _interceptors, _options, _logger, _timeProvider, _activator).HandleCallAsync);

    public override void AddDuplexStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
        => Add(method, new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, invoker, _interceptors, _options, _logger, _timeProvider, _activator).HandleCallAsync);

    private void Add(IMethod method, RequestDelegate handler)
    {
        _serviceName ??= method.ServiceName;
        _methodNames.Add(method.Name);
        var builder = _endpoints.MapPost(method.FullName, handler)
            .WithDisplayName("gRPC - " + method.FullName)
            .WithMetadata(method);
        _builders.Add(builder);
    }

    private static IEndpointConventionBuilder MapFallback(IEndpointRouteBuilder endpoints, RoutePattern pattern, string displayName, string message)
        => endpoints.Map(pattern, httpContext =>
            {
                var response = httpContext.Response;
                if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
                {
                    response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                response.ContentType = GrpcProtocol.ContentType;
                response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.Headers[GrpcProtocol.MessageHeader] = message;
                return Task.CompletedTask;
            })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Post]))
            .WithDisplayName(displayName);

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
