using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc;

/// <summary>
/// Receives a generated service's methods. Generated code calls it with invokers that take the
/// service instance, so the host decides how instances are created (per call from DI, or a singleton).
/// </summary>
public abstract class ServiceBinder<TService>
    where TService : class
{
    /// <summary>The protobuf descriptor of the service, used by reflection.</summary>
    public abstract void AddServiceDescriptor(ServiceDescriptor descriptor);

    public abstract void AddUnaryMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
        where TRequest : class
        where TResponse : class;

    public abstract void AddClientStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker)
        where TRequest : class
        where TResponse : class;

    public abstract void AddServerStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
        where TRequest : class
        where TResponse : class;

    public abstract void AddDuplexStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
        where TRequest : class
        where TResponse : class;
}

/// <summary>
/// Placed by generated code on a service base class: names the static generic method
/// <c>BindService&lt;TService&gt;(ServiceBinder&lt;TService&gt;)</c> that describes its methods.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class BindServiceMethodAttribute : Attribute
{
    public BindServiceMethodAttribute(Type bindType, string bindMethodName)
    {
        BindType = bindType;
        BindMethodName = bindMethodName;
    }

    public Type BindType { get; }

    public string BindMethodName { get; }
}
