namespace ConnectorKit.Connectors.Http;

/// <summary>
/// Time-outs, retries, circuit breaker and rate limit for one bank's typed HttpClient; named after the client and
/// validated when the client is first built (and at host start).
/// </summary>
public sealed class BankHttpOptions
{
    /// <summary>Limit on one attempt.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit on the whole call, retries and their delays included; passing it maps to DEADLINE_EXCEEDED.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for safe requests only; 0 turns retrying off.</summary>
    /// <value>3.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay, doubled per retry with jitter, when the bank sends no <c>Retry-After</c>.</summary>
    /// <value>200 milliseconds.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap on the back-off delay.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest <c>Retry-After</c> waited for; a longer one is not retried, and the bank's answer is returned as is
    /// (mapped with the <c>Retry-After</c> it named).
    /// </summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the breaker.</summary>
    /// <value>0.5.</value>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed within <see cref="BreakerSamplingDuration"/> before the ratio counts; at least 2.</summary>
    /// <value>10.</value>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Window over which failures are counted; at least 0.5 seconds.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails fast before letting one trial through; at least 0.5 seconds.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per second sent to the bank (a token bucket, bursts up to one second's worth); null for no limit.</summary>
    /// <value>null.</value>
    public int? RateLimitPerSecond { get; set; }
}
