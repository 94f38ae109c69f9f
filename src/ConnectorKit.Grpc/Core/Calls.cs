using System.Runtime.CompilerServices;
using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc;

/// <summary>An in-flight unary call. Await it for the response; dispose it to cancel.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCallState? _state;
    private readonly Task<Metadata>? _responseHeadersAsync;
    private readonly Func<Status>? _getStatus;
    private readonly Func<Metadata>? _getTrailers;
    private readonly Action? _dispose;

    public AsyncUnaryCall(Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        ResponseAsync = responseAsync;
        _responseHeadersAsync = responseHeadersAsync;
        _getStatus = getStatusFunc;
        _getTrailers = getTrailersFunc;
        _dispose = disposeAction;
    }

    internal AsyncUnaryCall(Task<TResponse> responseAsync, IClientCallState state)
    {
        ResponseAsync = responseAsync;
        _state = state;
    }

    /// <summary>The response; faults with <see cref="RpcException"/> on a non-OK status.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _state is { } state ? state.ResponseHeadersAsync : _responseHeadersAsync!;

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>The final status. Throws <see cref="InvalidOperationException"/> before the call ends.</summary>
    public Status GetStatus() => _state is { } state ? state.GetStatus() : _getStatus!();

    /// <summary>The trailers. Throws <see cref="InvalidOperationException"/> before the call ends.</summary>
    public Metadata GetTrailers() => _state is { } state ? state.GetTrailers() : _getTrailers!();

    public void Dispose()
    {
        if (_state is { } state)
        {
            state.Dispose();
        }
        else
        {
            _dispose!();
        }
    }
}

/// <summary>An in-flight server-streaming call.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IClientCallState? _state;
    private readonly Task<Metadata>? _responseHeadersAsync;
    private readonly Func<Status>? _getStatus;
    private readonly Func<Metadata>? _getTrailers;
    private readonly Action? _dispose;

    public AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        ResponseStream = responseStream;
        _responseHeadersAsync = responseHeadersAsync;
        _getStatus = getStatusFunc;
        _getTrailers = getTrailersFunc;
        _dispose = disposeAction;
    }

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, IClientCallState state)
    {
        ResponseStream = responseStream;
        _state = state;
    }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _state is { } state ? state.ResponseHeadersAsync : _responseHeadersAsync!;

    public Status GetStatus() => _state is { } state ? state.GetStatus() : _getStatus!();

    public Metadata GetTrailers() => _state is { } state ? state.GetTrailers() : _getTrailers!();

    public void Dispose()
    {
        if (_state is { } state)
        {
            state.Dispose();
        }
        else
        {
            _dispose!();
        }
    }
}

/// <summary>An in-flight client-streaming call: write requests, complete, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState? _state;
    private readonly Task<Metadata>? _responseHeadersAsync;
    private readonly Func<Status>? _getStatus;
    private readonly Func<Metadata>? _getTrailers;
    private readonly Action? _dispose;

    public AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
        _responseHeadersAsync = responseHeadersAsync;
        _getStatus = getStatusFunc;
        _getTrailers = getTrailersFunc;
        _dispose = disposeAction;
    }

    internal AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
        _state = state;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _state is { } state ? state.ResponseHeadersAsync : _responseHeadersAsync!;

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    public Status GetStatus() => _state is { } state ? state.GetStatus() : _getStatus!();

    public Metadata GetTrailers() => _state is { } state ? state.GetTrailers() : _getTrailers!();

    public void Dispose()
    {
        if (_state is { } state)
        {
            state.Dispose();
        }
        else
        {
            _dispose!();
        }
    }
}

/// <summary>An in-flight bidirectional call.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCallState? _state;
    private readonly Task<Metadata>? _responseHeadersAsync;
    private readonly Func<Status>? _getStatus;
    private readonly Func<Metadata>? _getTrailers;
    private readonly Action? _dispose;

    public AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _responseHeadersAsync = responseHeadersAsync;
        _getStatus = getStatusFunc;
        _getTrailers = getTrailersFunc;
        _dispose = disposeAction;
    }

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, IClientCallState state)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _state = state;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync => _state is { } state ? state.ResponseHeadersAsync : _responseHeadersAsync!;

    public Status GetStatus() => _state is { } state ? state.GetStatus() : _getStatus!();

    public Metadata GetTrailers() => _state is { } state ? state.GetTrailers() : _getTrailers!();

    public void Dispose()
    {
        if (_state is { } state)
        {
            state.Dispose();
        }
        else
        {
            _dispose!();
        }
    }
}
