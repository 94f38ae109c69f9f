using Polly;
using Polly.Retry;

namespace ConnectorKit.Server.Outbox.Internal;

/// <summary>
/// The wait before the next delivery attempt: Polly's exponential back-off with jitter (its decorrelated-jitter
/// formula), capped at the maximum delay.
/// </summary>
/// <remarks>
/// Polly computes a delay only inside a retry loop, carrying jitter state from one attempt to the next, and its delay
/// helper is internal. The attempt count here lives in the outbox row (so it survives restarts and moves between
/// nodes), so the delay for attempt n is taken by replaying n zero-length retries through a Polly retry strategy and
/// reading the delay it chose for attempt n. Microseconds per call, on the failure path only. Past
/// <see cref="MaxReplayedAttempts"/> the exponential term dwarfs any sensible cap, so the replay stops there.
/// </remarks>
internal sealed class RetryDelays
{
    internal const int MaxReplayedAttempts = 30;

    private static readonly ResiliencePropertyKey<int> TargetAttempt = new("ConnectorKit.Outbox.TargetAttempt");
    private static readonly ResiliencePropertyKey<TimeSpan> ChosenDelay = new("ConnectorKit.Outbox.ChosenDelay");

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _maxDelay;

    public RetryDelays(TimeSpan baseDelay, TimeSpan maxDelay, Func<double>? randomizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        _maxDelay = maxDelay;
        var options = new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxReplayedAttempts + 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = baseDelay,
            MaxDelay = maxDelay,
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is ReplayedFailure),

            // Earlier attempts only advance Polly's jitter state; they must not wait.
            DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(
                args.AttemptNumber < args.Context.Properties.GetValue(TargetAttempt, 0) ? TimeSpan.Zero : null),
            OnRetry = static args =>
            {
                if (args.AttemptNumber < args.Context.Properties.GetValue(TargetAttempt, 0))
                {
                    return default;
                }

                args.Context.Properties.Set(ChosenDelay, args.RetryDelay);
                throw new DelayChosen();
            },
        };
        if (randomizer is not null)
        {
            options.Randomizer = randomizer;
        }

        _pipeline = new ResiliencePipelineBuilder().AddRetry(options).Build();
    }

    /// <summary>The delay after the attempt that failed when <paramref name="failedAttemptsBefore"/> attempts had already failed.</summary>
    public TimeSpan Next(int failedAttemptsBefore)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            context.Properties.Set(TargetAttempt, Math.Clamp(failedAttemptsBefore, 0, MaxReplayedAttempts));
            try
            {
                _pipeline.Execute(static _ => throw new ReplayedFailure(), context);
            }
            catch (DelayChosen)
            {
            }

            var delay = context.Properties.GetValue(ChosenDelay, _maxDelay);
            return delay > _maxDelay ? _maxDelay : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private sealed class ReplayedFailure : Exception;

    private sealed class DelayChosen : Exception;
}
