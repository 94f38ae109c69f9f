using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;

namespace ConnectorKit.Grpc.Tests.Server;

/// <summary>
/// Unary calls on a server without interceptors, where a buffered request to a service that answers at once is
/// served without async state machines: the answers must be those of the asynchronous path.
/// </summary>
public sealed class UnaryFastPathTests(NoInterceptorProbeServerFixture server) : IClassFixture<NoInterceptorProbeServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Unary_ValidRequest_ReturnsMessageOkAndHandlerTrailers()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "hello" })).WaitAsync(Timeout);

        Assert.Equal("0", response.Trailer("grpc-status"));
        Assert.NotNull(response.Trailer("echo-text-bin"));
        var reply = Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser));
        Assert.StartsWith("hello|", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_HandlerThrowsBeforeAnyAwait_ReturnsUnknownWithoutExceptionText()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Throw", RawGrpcClient.Frame(new ProbeRequest { Text = "secret-account-6222020000001234" })).WaitAsync(Timeout);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("2", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_RichErrorThrownBeforeAnyAwait_ReturnsInvalidArgument()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/FailRich", RawGrpcClient.Frame(new ProbeRequest { Text = "x" })).WaitAsync(Timeout);

        Assert.Equal("3", response.GrpcStatus);
        Assert.NotNull(response.Header("grpc-status-details-bin") ?? response.Trailer("grpc-status-details-bin"));
    }

    [Fact]
    public async Task Unary_TwoMessages_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);
        byte[] body = [.. RawGrpcClient.Frame(new ProbeRequest { Text = "a" }), .. RawGrpcClient.Frame(new ProbeRequest { Text = "b" })];

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", body).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Unary_EmptyBody_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", []).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Request did not include a message.", response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_GrpcTimeout_AnswersDeadlineExceeded()
    {
        using var client = new RawGrpcClient(server.Address);
        server.Probe.Reset();

        var response = await client.SendAsync("/connectorkit.tests.Probe/WaitForCancellation", RawGrpcClient.Frame(new ProbeRequest()), headers: [("grpc-timeout", "200m")]).WaitAsync(Timeout);

        Assert.Equal("4", response.GrpcStatus);
        var (cancelled, _) = await server.Probe.CancellationObserved.Task.WaitAsync(Timeout);
        Assert.True(cancelled);
    }
}
