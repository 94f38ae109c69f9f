using ConnectorKit.Grpc;
using Polly;

namespace ConnectorKit.Client.Internal;

/// <summary>Caps calls in flight to a bank; a call over the cap fails at once with RESOURCE_EXHAUSTED instead of queueing.</summary>
internal sealed class ConcurrencyLimitStrategy(string bankId, int maxConcurrentCalls) : ResilienceStrategy
{
    private readonly SemaphoreSlim _permits = new(maxConcurrentCalls, maxConcurrentCalls);

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        if (!_permits.Wait(0, CancellationToken.None))
        {
            return Outcome.FromException<TResult>(new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Client-side concurrency limit of {maxConcurrentCalls} calls to bank '{bankId}' reached.")));
        }

        try
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        finally
        {
            _permits.Release();
        }
    }
}

internal sealed class ConcurrencyLimitStrategyOptions : ResilienceStrategyOptions
{
    public ConcurrencyLimitStrategyOptions() => Name = "ConcurrencyLimit";
}
