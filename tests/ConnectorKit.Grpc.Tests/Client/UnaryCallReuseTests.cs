using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;

namespace ConnectorKit.Grpc.Tests.Client;

/// <summary>
/// A unary call reuses what earlier calls left behind (the cancellation source of a call that ended OK, a per-thread
/// deserialization context) and makes its response-headers task only when asked: none of that may leak between calls.
/// </summary>
public sealed class UnaryCallReuseTests(ProbeServerFixture server) : IClassFixture<ProbeServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task UnaryCall_CancelledAfterManyOkCalls_ServerSeesCancellationAndLaterCallsSucceed()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);
        for (var i = 0; i < 200; i++)
        {
            await client.EchoAsync(new ProbeRequest { Text = "warm" }).ResponseAsync.WaitAsync(Timeout);
        }

        server.Probe.Reset();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var cancelled = await Assert.ThrowsAsync<RpcException>(() => client.WaitForCancellationAsync(new ProbeRequest(), cancellationToken: cts.Token).ResponseAsync).WaitAsync(Timeout);
        var (serverCancelled, _) = await server.Probe.CancellationObserved.Task.WaitAsync(Timeout);
        var replies = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add((await client.EchoAsync(new ProbeRequest { Text = $"after-{i}" }).ResponseAsync.WaitAsync(Timeout)).Text);
        }

        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
        Assert.True(serverCancelled);
        Assert.All(replies, (reply, i) => Assert.StartsWith($"after-{i}|", reply));
    }

    [Fact]
    public async Task UnaryCall_TrailersOnlyErrorHeadersAskedAfterward_CompleteWithThoseHeaders()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);
        using var call = client.ThrowAsync(new ProbeRequest { Text = "boom" });

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync).WaitAsync(Timeout);
        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);

        // A Trailers-Only answer is the response's headers too, as grpc-dotnet reports it, however late one asks.
        Assert.Equal(StatusCode.Unknown, failure.StatusCode);
        Assert.NotNull(headers);
        Assert.Same(call.ResponseHeadersAsync, call.ResponseHeadersAsync);
    }

    [Fact]
    public async Task UnaryCall_ResponseHeadersAskedOnlyAfterSuccess_CompleteWithoutFault()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);
        using var call = client.EchoAsync(new ProbeRequest { Text = "hi" });

        var reply = await call.ResponseAsync.WaitAsync(Timeout);
        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);

        Assert.StartsWith("hi|", reply.Text);
        Assert.NotNull(headers);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("hi", System.Text.Encoding.UTF8.GetString(call.GetTrailers().GetValueBytes("echo-text-bin")!));
    }
}
