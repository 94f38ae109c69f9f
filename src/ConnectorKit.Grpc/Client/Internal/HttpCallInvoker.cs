namespace ConnectorKit.Grpc.Internal;

/// <summary>Starts calls over the channel's HTTP/2 handler, one <see cref="GrpcCall{TRequest, TResponse}"/> each.</summary>
internal sealed class HttpCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = CreateCall(method, options);
        var response = call.StartUnary(request);
        return new AsyncUnaryCall<TResponse>(response, call);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = CreateCall(method, options);
        call.StartServerStreaming(request);
        return new AsyncServerStreamingCall<TResponse>(new ClientResponseStream<TRequest, TResponse>(call), call);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = CreateCall(method, options);
        var response = call.StartClientStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(new ClientRequestStream<TRequest, TResponse>(call), response, call);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var call = CreateCall(method, options);
        call.StartDuplexStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new ClientRequestStream<TRequest, TResponse>(call), new ClientResponseStream<TRequest, TResponse>(call), call);
    }

    private GrpcCall<TRequest, TResponse> CreateCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ObjectDisposedException.ThrowIf(channel.IsDisposed, channel);
        return new GrpcCall<TRequest, TResponse>(channel, method, options);
    }
}

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class ClientResponseStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    public TResponse Current => call.Current ?? throw new InvalidOperationException("No message has been read yet; call MoveNext first.");

    public Task<bool> MoveNext(CancellationToken cancellationToken) => call.MoveNextAsync(cancellationToken);
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(TRequest message) => call.WriteAsync(message, WriteOptions, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken) => call.WriteAsync(message, WriteOptions, cancellationToken);

    public Task CompleteAsync() => call.CompleteRequestAsync();
}
