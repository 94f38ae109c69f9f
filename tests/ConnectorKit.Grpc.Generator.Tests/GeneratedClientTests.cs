using System.Reflection;
using ConnectorKit.Grpc.Generator.Tests.ClientOnly;
using ConnectorKit.Grpc.Generator.Tests.TestDoubles;
using Connectorkit.GeneratorTests.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Grpc.Generator.Tests;

/// <summary>The client side of stubs generated through the real MSBuild path (Protos/generator_tests).</summary>
public sealed class GeneratedClientTests
{
    private const string Service = "connectorkit.generator_tests.v1.StreamingLab";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task UnaryAsync_HeadersDeadlineAndToken_ReachTheInvokerAsCallOptions()
    {
        var invoker = new RecordingCallInvoker { Response = new Pong { Text = "pong" } };
        var client = new StreamingLab.StreamingLabClient(invoker);
        var headers = new Metadata { { "x-request-id", "42" } };
        var deadline = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        using var cancellation = new CancellationTokenSource();
        var request = new Ping { Text = "ping" };

        var response = await client.EchoAsync(request, headers, deadline, cancellation.Token).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal("pong", response.Text);
        var call = Assert.Single(invoker.Calls);
        Assert.Equal($"/{Service}/Echo", call.Method.FullName);
        Assert.Equal(MethodType.Unary, call.Method.Type);
        Assert.Null(call.Host);
        Assert.Same(request, call.Request);
        Assert.Same(headers, call.Options.Headers);
        Assert.Equal(deadline, call.Options.Deadline);
        Assert.Equal(cancellation.Token, call.Options.CancellationToken);
    }

    [Fact]
    public void StreamingCalls_EachShape_StartTheMatchingInvokerCall()
    {
        var invoker = new RecordingCallInvoker();
        var client = new StreamingLab.StreamingLabClient(invoker);
        var options = new CallOptions(deadline: new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        using var collect = client.Collect(options);
        using var fan = client.Fan(new Ping.Types.Detail { Level = 3 }, options);
        using var chat = client.Chat(options);

        Assert.Equal(
            [
                ($"/{Service}/Collect", MethodType.ClientStreaming),
                ($"/{Service}/Fan", MethodType.ServerStreaming),
                ($"/{Service}/Chat", MethodType.DuplexStreaming),
            ],
            invoker.Calls.Select(c => (c.Method.FullName, c.Method.Type)));
        Assert.All(invoker.Calls, c => Assert.Equal(options.Deadline, c.Options.Deadline));
        Assert.Equal(new Ping.Types.Detail { Level = 3 }, invoker.Calls[1].Request);
    }

    [Theory]
    [InlineData("EchoAsync", typeof(AsyncUnaryCall<Pong>), new[] { typeof(Ping) })]
    [InlineData("Collect", typeof(AsyncClientStreamingCall<Ping, Pong>), new System.Type[0])]
    [InlineData("Fan", typeof(AsyncServerStreamingCall<Pong>), new[] { typeof(Ping.Types.Detail) })]
    [InlineData("Chat", typeof(AsyncDuplexStreamingCall<Ping, Pong>), new System.Type[0])]
    [InlineData("IgnoreAsync", typeof(AsyncUnaryCall<Empty>), new[] { typeof(Empty) })]
    public void ClientMethod_BothOverloads_HaveGrpcDotnetSignatures(string name, System.Type returnType, System.Type[] requestTypes)
    {
        var type = typeof(StreamingLab.StreamingLabClient);

        var withArguments = type.GetMethod(name, [.. requestTypes, typeof(Metadata), typeof(DateTime?), typeof(CancellationToken)]);
        var withOptions = type.GetMethod(name, [.. requestTypes, typeof(CallOptions)]);

        Assert.NotNull(withArguments);
        Assert.NotNull(withOptions);
        Assert.Equal(returnType, withArguments.ReturnType);
        Assert.Equal(returnType, withOptions.ReturnType);
        Assert.True(withArguments.IsVirtual && withOptions.IsVirtual);
        Assert.All(withArguments.GetParameters().Skip(requestTypes.Length), p => Assert.True(p.IsOptional));
    }

    [Fact]
    public void Client_Constructors_TakeAChannelOrACallInvoker()
    {
        var type = typeof(StreamingLab.StreamingLabClient);

        var constructors = type.GetConstructors().Select(c => c.GetParameters().Single().ParameterType);

        Assert.Equal([typeof(GrpcChannel), typeof(CallInvoker)], constructors);
        Assert.Equal(typeof(ClientBase<StreamingLab.StreamingLabClient>), type.BaseType);
    }

    [Fact]
    public void Client_DeprecatedRpc_IsObsolete()
    {
        var ignore = typeof(StreamingLab.StreamingLabClient).GetMethod("IgnoreAsync", [typeof(Empty), typeof(CallOptions)]);

        Assert.NotNull(ignore?.GetCustomAttribute<ObsoleteAttribute>());
    }

    [Fact]
    public void ClientOnlyProto_CsharpNamespaceOption_HasClientButNoServerSide()
    {
        var type = typeof(Oracle);

        Assert.Equal("ConnectorKit.Grpc.Generator.Tests.ClientOnly", type.Namespace);
        Assert.Equal(["OracleClient"], type.GetNestedTypes().Select(t => t.Name));
        Assert.Null(type.GetMethod("BindService"));
    }
}
