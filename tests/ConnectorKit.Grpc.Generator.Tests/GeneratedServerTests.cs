using System.Buffers;
using System.Reflection;
using ConnectorKit.Grpc.Generator.Tests.Dashed;
using ConnectorKit.Grpc.Generator.Tests.TestDoubles;
using Connectorkit.GeneratorTests.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Grpc.Generator.Tests;

/// <summary>The server side of stubs generated through the real MSBuild path (Protos/generator_tests).</summary>
public sealed class GeneratedServerTests
{
    private const string Service = "connectorkit.generator_tests.v1.StreamingLab";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void BindService_RecordingBinder_AddsTheServiceDescriptorOnce()
    {
        var binder = new RecordingServiceBinder<EmptyLab>();

        StreamingLab.BindService(binder);

        var descriptor = Assert.Single(binder.Descriptors);
        Assert.Equal(Service, descriptor.FullName);
        Assert.Same(StreamingLab.Descriptor, descriptor);
    }

    [Fact]
    public void BindService_RecordingBinder_AddsEveryRpcWithItsPathAndShape()
    {
        var binder = new RecordingServiceBinder<EmptyLab>();

        StreamingLab.BindService(binder);

        Assert.Equal(
            [
                ($"/{Service}/Echo", MethodType.Unary),
                ($"/{Service}/Collect", MethodType.ClientStreaming),
                ($"/{Service}/Fan", MethodType.ServerStreaming),
                ($"/{Service}/Chat", MethodType.DuplexStreaming),
                ($"/{Service}/Ignore", MethodType.Unary),
            ],
            binder.Methods.Select(m => (m.Method.FullName, m.Method.Type)));
        Assert.All(binder.Methods, m => Assert.Equal(Service, m.Method.ServiceName));
    }

    [Fact]
    public async Task BindService_UnaryInvoker_CallsTheOverride()
    {
        var binder = new RecordingServiceBinder<EchoLab>();
        StreamingLab.BindService(binder);
        var invoker = (Func<EchoLab, Ping, ServerCallContext, Task<Pong>>)binder.InvokerOf("Echo");

        var response = await invoker(new EchoLab(), new Ping { Text = "hi" }, new FakeServerCallContext($"/{Service}/Echo"))
            .WaitAsync(Timeout);

        Assert.Equal("echo: hi", response.Text);
    }

    [Fact]
    public async Task BaseClass_UnaryNotOverridden_ThrowsUnimplemented()
    {
        var invoker = BoundInvoker<Func<EmptyLab, Ping, ServerCallContext, Task<Pong>>>("Echo");

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker(new EmptyLab(), new Ping(), Context("Echo")).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task BaseClass_ClientStreamingNotOverridden_ThrowsUnimplemented()
    {
        var invoker = BoundInvoker<Func<EmptyLab, IAsyncStreamReader<Ping>, ServerCallContext, Task<Pong>>>("Collect");

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker(new EmptyLab(), new EmptyStream<Ping>(), Context("Collect")).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task BaseClass_ServerStreamingNotOverridden_ThrowsUnimplemented()
    {
        var invoker = BoundInvoker<Func<EmptyLab, Ping.Types.Detail, IServerStreamWriter<Pong>, ServerCallContext, Task>>("Fan");

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker(new EmptyLab(), new Ping.Types.Detail(), new EmptyStream<Pong>(), Context("Fan")).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task BaseClass_DuplexStreamingNotOverridden_ThrowsUnimplemented()
    {
        var invoker = BoundInvoker<Func<EmptyLab, IAsyncStreamReader<Ping>, IServerStreamWriter<Pong>, ServerCallContext, Task>>("Chat");

        var error = await Assert.ThrowsAsync<RpcException>(() => invoker(new EmptyLab(), new EmptyStream<Ping>(), new EmptyStream<Pong>(), Context("Chat")).WaitAsync(Timeout));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public void BaseClass_Virtuals_HaveGrpcDotnetSignatures()
    {
        var type = typeof(StreamingLab.StreamingLabBase);

        var echo = type.GetMethod("Echo", [typeof(Ping), typeof(ServerCallContext)]);
        var collect = type.GetMethod("Collect", [typeof(IAsyncStreamReader<Ping>), typeof(ServerCallContext)]);
        var fan = type.GetMethod("Fan", [typeof(Ping.Types.Detail), typeof(IServerStreamWriter<Pong>), typeof(ServerCallContext)]);
        var chat = type.GetMethod("Chat", [typeof(IAsyncStreamReader<Ping>), typeof(IServerStreamWriter<Pong>), typeof(ServerCallContext)]);

        Assert.True(type.IsAbstract);
        Assert.Equal(typeof(Task<Pong>), echo?.ReturnType);
        Assert.Equal(typeof(Task<Pong>), collect?.ReturnType);
        Assert.Equal(typeof(Task), fan?.ReturnType);
        Assert.Equal(typeof(Task), chat?.ReturnType);
        Assert.All(new[] { echo, collect, fan, chat }, m => Assert.True(m!.IsVirtual && !m.IsAbstract));
    }

    [Fact]
    public void BaseClass_BindServiceMethodAttribute_NamesTheGenericBindService()
    {
        var attribute = typeof(StreamingLab.StreamingLabBase).GetCustomAttribute<BindServiceMethodAttribute>();

        Assert.NotNull(attribute);
        Assert.Equal(typeof(StreamingLab), attribute.BindType);
        var bind = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static);
        Assert.NotNull(bind);
        Assert.True(bind.IsGenericMethodDefinition);
    }

    [Fact]
    public void BaseClass_DeprecatedRpc_IsObsolete()
    {
        var ignore = typeof(StreamingLab.StreamingLabBase).GetMethod("Ignore", [typeof(Empty), typeof(ServerCallContext)]);
        var echo = typeof(StreamingLab.StreamingLabBase).GetMethod("Echo", [typeof(Ping), typeof(ServerCallContext)]);

        Assert.NotNull(ignore?.GetCustomAttribute<ObsoleteAttribute>());
        Assert.Null(echo?.GetCustomAttribute<ObsoleteAttribute>());
    }

    [Fact]
    public void Descriptor_SecondServiceOfTheFile_IsThatService()
    {
        var descriptor = Backup.Descriptor;

        Assert.Equal("connectorkit.generator_tests.v1.Backup", descriptor.FullName);
        Assert.Equal("generator_tests/streaming_lab.proto", descriptor.File.Name);
    }

    [Fact]
    public void Method_RequestMarshaller_RoundTripsTheProtobufMessage()
    {
        var binder = new RecordingServiceBinder<EmptyLab>();
        StreamingLab.BindService(binder);
        var method = (Method<Ping, Pong>)binder.Methods[0].Method;
        var sent = new Ping { Text = "round trip" };
        var serialization = new BufferSerializationContext();

        method.RequestMarshaller.ContextualSerializer(sent, serialization);
        var received = method.RequestMarshaller.ContextualDeserializer(new BufferDeserializationContext(serialization.Payload));

        Assert.Equal(sent, received);
        Assert.Equal(sent.CalculateSize(), serialization.DeclaredLength);
    }

    [Fact]
    public void ServerOnlyProto_DashedFileName_HasBaseButNoClient()
    {
        var nested = typeof(Inventory).GetNestedTypes().Select(t => t.Name);

        Assert.Equal(["InventoryBase"], nested);
        Assert.Equal("generator_tests/dashed-name.proto", Inventory.Descriptor.File.Name);
    }

    private static TDelegate BoundInvoker<TDelegate>(string methodName)
        where TDelegate : Delegate
    {
        var binder = new RecordingServiceBinder<EmptyLab>();
        StreamingLab.BindService(binder);
        return (TDelegate)binder.InvokerOf(methodName);
    }

    private static FakeServerCallContext Context(string methodName) => new($"/{Service}/{methodName}");

    public sealed class EmptyLab : StreamingLab.StreamingLabBase
    {
    }

    public sealed class EchoLab : StreamingLab.StreamingLabBase
    {
        public override Task<Pong> Echo(Ping request, ServerCallContext context) => Task.FromResult(new Pong { Text = "echo: " + request.Text });
    }

    private sealed class BufferSerializationContext : SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public int DeclaredLength { get; private set; } = -1;

        public byte[] Payload { get; private set; } = [];

        public override void SetPayloadLength(int payloadLength) => DeclaredLength = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => _buffer;

        public override void Complete() => Payload = _buffer.WrittenSpan.ToArray();
    }

    private sealed class BufferDeserializationContext(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}
