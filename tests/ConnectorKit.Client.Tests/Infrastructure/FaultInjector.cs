using System.Collections.Concurrent;
using ConnectorKit.Grpc;

namespace ConnectorKit.Client.Tests.Infrastructure;

/// <summary>A server interceptor that counts calls per rpc and fails them as a test scripts it.</summary>
public sealed class FaultInjector : Interceptor
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private int _unavailableBefore;
    private int _lostResponses;
    private int _abortStreamsRemaining;

    /// <summary>Every call fails with UNAVAILABLE before it reaches the service.</summary>
    public volatile bool AlwaysUnavailable;

    /// <summary>Delay before each call runs.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The next N calls run and then fail with UNAVAILABLE, so the client never sees the result.</summary>
    public void LoseResponses(int count) => Volatile.Write(ref _lostResponses, count);

    /// <summary>The next N calls fail with UNAVAILABLE without running.</summary>
    public void FailBefore(int count) => Volatile.Write(ref _unavailableBefore, count);

    /// <summary>Stream call number <paramref name="streamNumber"/> (1-based) fails with UNAVAILABLE after reading <paramref name="afterMessages"/> messages, once.</summary>
    public void AbortStream(int streamNumber, int afterMessages)
    {
        AbortStreamNumber = streamNumber;
        AbortAfterMessages = afterMessages;
        Volatile.Write(ref _abortStreamsRemaining, 1);
    }

    public int AbortStreamNumber { get; private set; }

    public int AbortAfterMessages { get; private set; }

    public int Calls(string rpc) => _calls.TryGetValue(rpc, out var n) ? n : 0;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await BeforeAsync(context);
        var response = await continuation(request, context);
        if (Interlocked.Decrement(ref _lostResponses) >= 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "injected: response lost"));
        }

        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var number = await BeforeAsync(context);
        if (number == AbortStreamNumber && Interlocked.Decrement(ref _abortStreamsRemaining) >= 0)
        {
            return await continuation(new AbortingReader<TRequest>(requestStream, AbortAfterMessages), context);
        }

        return await continuation(requestStream, context);
    }

    private async Task<int> BeforeAsync(ServerCallContext context)
    {
        var rpc = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        var number = _calls.AddOrUpdate(rpc, 1, (_, n) => n + 1);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken);
        }

        if (AlwaysUnavailable || Interlocked.Decrement(ref _unavailableBefore) >= 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "injected: unavailable"));
        }

        return number;
    }

    private sealed class AbortingReader<T>(IAsyncStreamReader<T> inner, int afterMessages) : IAsyncStreamReader<T>
    {
        private int _read;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_read == afterMessages)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "injected: stream aborted"));
            }

            _read++;
            return await inner.MoveNext(cancellationToken);
        }
    }
}
