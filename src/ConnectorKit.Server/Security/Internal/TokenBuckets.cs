using System.Collections.Concurrent;

namespace ConnectorKit.Server.Security.Internal;

/// <summary>One token bucket per key, refilled from the clock's monotonic timestamp when a call asks, so idle keys cost no timer.</summary>
internal sealed class TokenBuckets(double perSecond, double capacity, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one token for <paramref name="key"/>; when there is none, how long until there will be.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.capacity, state.clock.GetTimestamp()), (capacity, clock));
        lock (bucket)
        {
            var now = clock.GetTimestamp();
            var elapsed = clock.GetElapsedTime(bucket.Refilled, now).TotalSeconds;
            bucket.Tokens = Math.Min(capacity, bucket.Tokens + (elapsed * perSecond));
            bucket.Refilled = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            // Rounded up to whole milliseconds, so a caller that waits exactly this long finds a token.
            retryAfter = TimeSpan.FromMilliseconds(Math.Ceiling((1 - bucket.Tokens) / perSecond * 1000));
            return false;
        }
    }

    private sealed class Bucket(double tokens, long refilled)
    {
        public double Tokens = tokens;

        public long Refilled = refilled;
    }
}
