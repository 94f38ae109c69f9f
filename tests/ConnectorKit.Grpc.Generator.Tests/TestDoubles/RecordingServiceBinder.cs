using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Generator.Tests.TestDoubles;

/// <summary>A host stand-in that keeps what a generated <c>BindService</c> hands it.</summary>
internal sealed class RecordingServiceBinder<TService> : ServiceBinder<TService>
    where TService : class
{
    public List<ServiceDescriptor> Descriptors { get; } = [];

    public List<(IMethod Method, Delegate Invoker)> Methods { get; } = [];

    public Delegate InvokerOf(string methodName) => Methods.Single(m => m.Method.Name == methodName).Invoker;

    public override void AddServiceDescriptor(ServiceDescriptor descriptor) => Descriptors.Add(descriptor);

    public override void AddUnaryMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker) =>
        Methods.Add((method, invoker));

    public override void AddClientStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker) =>
        Methods.Add((method, invoker));

    public override void AddServerStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker) =>
        Methods.Add((method, invoker));

    public override void AddDuplexStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker) =>
        Methods.Add((method, invoker));
}
