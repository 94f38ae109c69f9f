using System.IO.Compression;
using System.Text;
using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;
using Google.Protobuf;
using Google.Rpc;

namespace ConnectorKit.Grpc.Tests.Server;

/// <summary>The server on the wire, seen through .NET's own HTTP/2 client.</summary>
public sealed class ServerCallHandlerTests(ProbeServerFixture server) : IClassFixture<ProbeServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Unary_ValidRequest_ReturnsOneMessageAndOkInTrailers()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "hello" })).WaitAsync(Timeout);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal("0", response.Trailer("grpc-status"));
        var reply = Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser));
        Assert.StartsWith("hello|", reply.Text, StringComparison.Ordinal);
        Assert.EndsWith("|/connectorkit.tests.Probe/Echo", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_JsonContentType_Returns415()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", Encoding.UTF8.GetBytes("{}"), "application/json").WaitAsync(Timeout);

        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task Unary_HandlerThrows_ReturnsUnknownTrailersOnlyWithoutExceptionText()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Throw", RawGrpcClient.Frame(new ProbeRequest { Text = "secret-account-6222020000001234" })).WaitAsync(Timeout);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("2", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_RichError_CarriesBadRequestInStatusDetails()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/FailRich", RawGrpcClient.Frame(new ProbeRequest { Text = "x" })).WaitAsync(Timeout);

        Assert.Equal("3", response.GrpcStatus);
        var details = response.Header("grpc-status-details-bin") ?? response.Trailer("grpc-status-details-bin");
        Assert.NotNull(details);
        var status = Google.Rpc.Status.Parser.ParseFrom(DecodeBase64(details));
        Assert.Equal(3, status.Code);
        var violation = Assert.Single(status.Details[0].Unpack<BadRequest>().FieldViolations);
        Assert.Equal("text", violation.Field);
    }

    [Theory]
    [InlineData("/connectorkit.tests.Probe/NoSuchMethod", "Method is unimplemented.")]
    [InlineData("/connectorkit.tests.NoSuchService/Echo", "Service is unimplemented.")]
    public async Task Call_UnknownPath_ReturnsUnimplemented(string path, string message)
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync(path, RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal(message, response.GrpcMessage);
    }

    [Fact]
    public async Task Unary_CustomMetadata_ReachesHandlerAndBinaryTrailerComesBack()
    {
        using var client = new RawGrpcClient(server.Address);
        (string, string)[] headers = [("x-tenant", "bank-a"), ("x-padded-bin", "AQI="), ("x-unpadded-bin", "AQI")];

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "信用" }), headers: headers).WaitAsync(Timeout);

        var reply = Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser));
        Assert.Contains("x-tenant=bank-a", reply.Text, StringComparison.Ordinal);
        Assert.Contains("x-padded-bin=0102", reply.Text, StringComparison.Ordinal);
        Assert.Contains("x-unpadded-bin=0102", reply.Text, StringComparison.Ordinal);
        Assert.Equal("信用", Encoding.UTF8.GetString(DecodeBase64(response.Trailer("echo-text-bin")!)));
    }

    [Fact]
    public async Task Unary_GrpcTimeout_CancelsHandlerAndAnswersDeadlineExceeded()
    {
        using var client = new RawGrpcClient(server.Address);
        server.Probe.Reset();

        var response = await client.SendAsync("/connectorkit.tests.Probe/WaitForCancellation", RawGrpcClient.Frame(new ProbeRequest()), headers: [("grpc-timeout", "200m")]).WaitAsync(Timeout);

        Assert.Equal("4", response.GrpcStatus);
        var (cancelled, deadline) = await server.Probe.CancellationObserved.Task.WaitAsync(Timeout);
        Assert.True(cancelled);
        Assert.NotEqual(DateTime.MaxValue, deadline);
    }

    [Fact]
    public async Task Unary_ClientResetsStream_HandlerTokenFires()
    {
        using var client = new RawGrpcClient(server.Address);
        server.Probe.Reset();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync("/connectorkit.tests.Probe/WaitForCancellation", RawGrpcClient.Frame(new ProbeRequest()), cancellationToken: cts.Token)).WaitAsync(Timeout);

        var (cancelled, deadline) = await server.Probe.CancellationObserved.Task.WaitAsync(Timeout);
        Assert.True(cancelled);
        Assert.Equal(DateTime.MaxValue, deadline);
    }

    [Fact]
    public async Task Unary_CompressedFlagWithoutEncoding_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "a" }, compressedFlag: true)).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_UnsupportedEncoding_ReturnsUnimplementedAndAdvertisesEncodings()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest()), headers: [("grpc-encoding", "br")]).WaitAsync(Timeout);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("identity,gzip", response.Header("grpc-accept-encoding"));
    }

    [Fact]
    public async Task Unary_GzipRequest_IsDecompressed()
    {
        using var client = new RawGrpcClient(server.Address);
        var payload = Gzip(new ProbeRequest { Text = "zipped" }.ToByteArray());

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(payload, compressedFlag: true), headers: [("grpc-encoding", "gzip")]).WaitAsync(Timeout);

        Assert.Equal("0", response.GrpcStatus);
        Assert.StartsWith("zipped|", Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_InvalidGzip_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame([1, 2, 3, 4, 5, 6], compressedFlag: true), headers: [("grpc-encoding", "gzip")]).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_LengthPrefixLongerThanBody_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);
        var frame = RawGrpcClient.Frame(new ProbeRequest { Text = "truncated" });

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", frame[..^3]).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_InvalidProtobuf_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame([0x0A, 0xFF, 0xFF])).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_MessageOverReceiveLimit_ReturnsResourceExhausted()
    {
        using var client = new RawGrpcClient(server.Address);
        var big = new ProbeRequest { Text = new string('x', 4 * 1024 * 1024 + 1) };

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(big)).WaitAsync(Timeout);

        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_TwoMessages_ReturnsInternal()
    {
        using var client = new RawGrpcClient(server.Address);
        var frame = RawGrpcClient.Frame(new ProbeRequest { Text = "a" });

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", [.. frame, .. frame]).WaitAsync(Timeout);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task ClientStreaming_ThreeMessages_CountsThree()
    {
        using var client = new RawGrpcClient(server.Address);
        byte[] body = [.. RawGrpcClient.Frame(new ProbeRequest { Text = "a" }), .. RawGrpcClient.Frame(new ProbeRequest { Text = "b" }), .. RawGrpcClient.Frame(new ProbeRequest { Text = "c" })];

        var response = await client.SendAsync("/connectorkit.tests.Probe/Collect", body).WaitAsync(Timeout);

        var reply = Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser));
        Assert.Equal(3, reply.Count);
        Assert.Equal("a,b,c", reply.Text);
    }

    [Fact]
    public async Task ClientStreaming_NoMessages_CountsZero()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Collect", []).WaitAsync(Timeout);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal(0, Assert.Single(RawGrpcClient.Messages(response.Body, ProbeReply.Parser)).Count);
    }

    [Fact]
    public async Task ServerStreaming_FiveRequested_SendsFiveThenOk()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Count", RawGrpcClient.Frame(new ProbeRequest { Count = 5 })).WaitAsync(Timeout);

        Assert.Equal([1, 2, 3, 4, 5], RawGrpcClient.Messages(response.Body, ProbeReply.Parser).Select(r => r.Count));
        Assert.Equal("0", response.Trailer("grpc-status"));
    }

    [Fact]
    public async Task Unary_ServerInterceptor_WrapsHandler()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal("recording", response.Trailer("intercepted-by"));
        Assert.Contains("/connectorkit.tests.Probe/Echo", server.Interceptor.Seen);
    }

    private static byte[] DecodeBase64(string value) => Convert.FromBase64String(value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '='));

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}

/// <summary>With <see cref="GrpcServiceOptions.EnableDetailedErrors"/> on, the exception reaches the client.</summary>
public sealed class DetailedErrorsTests(DetailedErrorsProbeServerFixture server) : IClassFixture<DetailedErrorsProbeServerFixture>
{
    [Fact]
    public async Task Unary_HandlerThrowsWithDetailedErrors_MessageNamesException()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Throw", RawGrpcClient.Frame(new ProbeRequest { Text = "boom" })).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("2", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler. InvalidOperationException: boom", response.GrpcMessage);
    }
}
