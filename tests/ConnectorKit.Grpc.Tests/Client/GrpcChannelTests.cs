using System.Net;
using System.Net.Sockets;
using ConnectorKit.Grpc.Tests.Client.Infrastructure;

namespace ConnectorKit.Grpc.Tests.Client;

public sealed class GrpcChannelTests
{
    private static readonly byte[] Hello = "hello"u8.ToArray();

    private static readonly Method<byte[], byte[]> AnyMethod =
        new(MethodType.Unary, "test.Any", "Call", RawHttp2ServerFixture.BytesMarshaller, RawHttp2ServerFixture.BytesMarshaller);

    [Fact]
    public async Task UnaryCall_NothingListening_ThrowsUnavailableWithTheConnectionError()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");

        var call = channel.CreateCallInvoker().AsyncUnaryCall(AnyMethod, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unavailable, exception.StatusCode);
        Assert.IsType<HttpRequestException>(exception.Status.DebugException);
        Assert.Equal(StatusCode.Unavailable, call.GetStatus().StatusCode);
        var headers = await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync.WithTimeout());
        Assert.Equal(StatusCode.Unavailable, headers.StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_NothingListening_ReadAndWriteThrowUnavailable()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(AnyMethod, null, new CallOptions());

        var read = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(Hello).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, read.StatusCode);
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
    }

    [Fact]
    public void ForAddress_RequestCompressionWithoutProvider_Throws()
    {
        var options = new GrpcChannelOptions { RequestCompression = "br" };

        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress("http://127.0.0.1:1", options));
    }

    [Fact]
    public void ForAddress_BuiltInHandler_IsHttp2ReadyAndConfigurable()
    {
        SocketsHttpHandler? seen = null;
        var options = new GrpcChannelOptions
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(7),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(3),
            ConfigureSocketsHttpHandler = handler => seen = handler,
        };

        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1", options);

        Assert.NotNull(seen);
        Assert.True(seen.EnableMultipleHttp2Connections);
        Assert.Equal(TimeSpan.FromSeconds(7), seen.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), seen.KeepAlivePingTimeout);
        Assert.Equal(HttpKeepAlivePingPolicy.WithActiveRequests, seen.KeepAlivePingPolicy);
        Assert.Equal(DecompressionMethods.None, seen.AutomaticDecompression);
        Assert.False(seen.UseProxy);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Dispose_SuppliedHandler_DisposedOnlyWhenAsked(bool disposeHttpHandler, bool expectDisposed)
    {
        var handler = new TrackingHandler();
        var channel = GrpcChannel.ForAddress("http://127.0.0.1:1", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpHandler = disposeHttpHandler });

        channel.Dispose();

        Assert.Equal(expectDisposed, handler.Disposed);
    }

    [Fact]
    public void CreateCallInvoker_AfterDispose_ThrowsObjectDisposed()
    {
        var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");

        channel.Dispose();

        Assert.Throws<ObjectDisposedException>(() => channel.CreateCallInvoker());
    }

    [Fact]
    public async Task UnaryCall_SuppliedHandler_SendsAnHttp2PostToTheMethodPath()
    {
        var handler = new TrackingHandler();
        using var channel = GrpcChannel.ForAddress("http://example.test:5000", new GrpcChannelOptions { HttpHandler = handler });

        var call = channel.CreateCallInvoker().AsyncUnaryCall(AnyMethod, null, new CallOptions(), Hello);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("http://example.test:5000/test.Any/Call"), request.RequestUri);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, request.VersionPolicy);
    }

    [Fact]
    public async Task CreateCallInvoker_ChannelInterceptor_SeesEveryCall()
    {
        var interceptor = new CountingInterceptor();
        var options = new GrpcChannelOptions { HttpHandler = new TrackingHandler() };
        options.Interceptors.Add(interceptor);
        using var channel = GrpcChannel.ForAddress("http://example.test:5000", options);

        var call = channel.CreateCallInvoker().AsyncUnaryCall(AnyMethod, null, new CallOptions(), Hello);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(1, interceptor.Calls);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every request with 503 and records what it was sent.</summary>
    private sealed class TrackingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) });
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class CountingInterceptor : Interceptor
    {
        public int Calls { get; private set; }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            Calls++;
            return continuation(request, context);
        }
    }
}
