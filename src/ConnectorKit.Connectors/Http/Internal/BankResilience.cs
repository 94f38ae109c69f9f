using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ConnectorKit.Connectors.Http.Internal;

/// <summary>
/// One pipeline and rate limiter per named bank client, shared by every handler instance the factory builds for it:
/// handlers are recycled every few minutes, and the breaker's and the limiter's state must outlive them.
/// </summary>
internal sealed class BankResilience(IOptionsMonitor<BankHttpOptions> options, TimeProvider timeProvider) : IDisposable
{
    internal static readonly ResiliencePropertyKey<bool> Retryable = new("ConnectorKit.Bank.Retryable");
    internal static readonly ResiliencePropertyKey<bool> TotalTimedOut = new("ConnectorKit.Bank.TotalTimedOut");

    private readonly ConcurrentDictionary<string, Lazy<Entry>> entries = new(StringComparer.Ordinal);

    public Entry Get(string name) => entries.GetOrAdd(name, n => new Lazy<Entry>(() => Create(n))).Value;

    public void Dispose()
    {
        foreach (var entry in entries.Values.Where(e => e.IsValueCreated))
        {
            entry.Value.Limiter?.Dispose();
        }
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransient(response.StatusCode),
        _ => false,
    };

    internal static bool IsTransient(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>The delay a 429 or 503 asks for, or null when it names none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider timeProvider)
    {
        if (response is null || (int)response.StatusCode is not (429 or 503) || response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var delay = header.Delta ?? (header.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay is { } d && d < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private Entry Create(string name)
    {
        var o = options.Get(name);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "total",
            Timeout = o.TotalTimeout,
            OnTimeout = args =>
            {
                args.Context.Properties.Set(TotalTimedOut, true);
                return default;
            },
        });

        if (o.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = o.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.BaseDelay,
                MaxDelay = o.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(Retryable, false)
                    && IsTransient(args.Outcome)
                    && !(RetryAfter(args.Outcome.Result, timeProvider) > o.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, timeProvider)),
                OnRetry = args =>
                {
                    // The answer that prompted the retry is dropped; nobody else will dispose it.
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = o.BreakerFailureRatio,
            MinimumThroughput = o.BreakerMinimumThroughput,
            SamplingDuration = o.BreakerSamplingDuration,
            BreakDuration = o.BreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = o.Timeout });

        RateLimiter? limiter = o.RateLimitPerSecond is { } rate
            ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = rate,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / rate),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : null;

        return new Entry(builder.Build(), limiter, o.TotalTimeout);
    }

    internal sealed record Entry(ResiliencePipeline<HttpResponseMessage> Pipeline, RateLimiter? Limiter, TimeSpan TotalTimeout);
}
