namespace ConnectorKit.Grpc.Generator.Tests.TestDoubles;

/// <summary>A channel stand-in that records each call a generated client starts and answers it at once.</summary>
internal sealed class RecordingCallInvoker : CallInvoker
{
    public List<(IMethod Method, string? Host, CallOptions Options, object? Request)> Calls { get; } = [];

    /// <summary>What unary and client-streaming calls respond with.</summary>
    public object? Response { get; set; }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Calls.Add((method, host, options, request));
        return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)Response!), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Calls.Add((method, host, options, request));
        return new AsyncServerStreamingCall<TResponse>(new EmptyStream<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        Calls.Add((method, host, options, null));
        return new AsyncClientStreamingCall<TRequest, TResponse>(new EmptyStream<TRequest>(), Task.FromResult((TResponse)Response!), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        Calls.Add((method, host, options, null));
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new EmptyStream<TRequest>(), new EmptyStream<TResponse>(), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }
}

/// <summary>A stream with no messages that discards whatever is written to it.</summary>
internal sealed class EmptyStream<T> : IAsyncStreamReader<T>, IClientStreamWriter<T>, IServerStreamWriter<T>
{
    public T Current => throw new InvalidOperationException("The stream is empty.");

    public WriteOptions? WriteOptions { get; set; }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);

    public Task WriteAsync(T message) => Task.CompletedTask;

    public Task CompleteAsync() => Task.CompletedTask;
}
