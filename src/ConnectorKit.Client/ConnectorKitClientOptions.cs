namespace ConnectorKit.Client;

/// <summary>The banks the platform calls. Bind from a section such as <c>ConnectorKit:Client</c>.</summary>
public sealed class ConnectorKitClientOptions
{
    /// <summary>Connections by bank id; at least one is required.</summary>
    public Dictionary<string, BankConnectionOptions> Banks { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>How to reach one bank.</summary>
public sealed class BankConnectionOptions
{
    /// <summary>Required. <c>http://</c> is h2c, <c>https://</c> TLS.</summary>
    public Uri? Address { get; set; }

    /// <summary>Sent as <c>authorization: Bearer …</c> by the default <see cref="IBankTokenProvider"/>. <value>Default null: no header.</value></summary>
    public string? BearerToken { get; set; }

    /// <summary>PEM client certificate for mutual TLS; needs an https address.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM key of <see cref="ClientCertificatePath"/>; null when the key is in the certificate file.</summary>
    public string? ClientCertificateKeyPath { get; set; }

    /// <summary>PEM bundle used as the only trusted roots for the bank's certificate; needs an https address.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Total time of a call across all its attempts. <value>Default 10 s.</value></summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadlines by rpc name (e.g. <c>SubmitApplication</c>, <c>StreamCreditProfiles</c> per chunk) overriding <see cref="DefaultDeadline"/>.</summary>
    public Dictionary<string, TimeSpan> MethodDeadlines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Profiles per StreamCreditProfiles call in a bulk push; a failed chunk is re-sent whole. <value>Default 1000.</value></summary>
    public int BulkChunkSize { get; set; } = 1000;

    public BankResilienceOptions Resilience { get; set; } = new();
}

/// <summary>Retry, circuit breaker and concurrency limit of one bank's calls.</summary>
public sealed class BankResilienceOptions
{
    /// <summary>Retries after the first attempt. <value>Default 4; 0 turns retries off.</value></summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First back-off delay, doubled per retry, with jitter. <value>Default 200 ms.</value></summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest back-off delay. <value>Default 5 s.</value></summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Share of failed attempts (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED) that opens the breaker. <value>Default 0.5.</value></summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts within <see cref="BreakerSamplingDuration"/> before the breaker may open. <value>Default 10; at least 2.</value></summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary><value>Default 30 s.</value></summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the breaker stays open before a trial call. <value>Default 30 s; at least 0.5 s (Polly's minimum).</value></summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls in flight to the bank at once; excess calls fail with RESOURCE_EXHAUSTED. <value>Default 100.</value></summary>
    public int MaxConcurrentCalls { get; set; } = 100;
}
