using System.IO.Compression;
using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;

namespace ConnectorKit.Grpc.Tests.Server;

/// <summary>Response compression follows the client's grpc-accept-encoding; the send limit holds.</summary>
public sealed class ResponseCompressionTests(GzipProbeServerFixture server) : IClassFixture<GzipProbeServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Unary_ClientAcceptsGzip_ResponseIsGzippedAndFlagged()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = new string('a', 2_000) }), headers: [("grpc-accept-encoding", "identity,gzip")]).WaitAsync(Timeout);

        Assert.Equal("gzip", response.Header("grpc-encoding"));
        Assert.Equal(1, response.Body[0]);
        using var gzip = new GZipStream(new MemoryStream(response.Body, 5, response.Body.Length - 5), CompressionMode.Decompress);
        var reply = ProbeReply.Parser.ParseFrom(gzip);
        Assert.StartsWith(new string('a', 2_000), reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_ClientAcceptsOnlyIdentity_ResponseIsPlain()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "plain" }), headers: [("grpc-accept-encoding", "identity")]).WaitAsync(Timeout);

        Assert.Null(response.Header("grpc-encoding"));
        Assert.Equal(0, response.Body[0]);
        Assert.StartsWith("plain|", Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_ResponseOverSendLimit_ResourceExhausted()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Collect", RawGrpcClient.Frame(new ProbeRequest { Text = new string('x', 70 * 1024) })).WaitAsync(Timeout);

        Assert.Equal("8", response.GrpcStatus);
    }
}
