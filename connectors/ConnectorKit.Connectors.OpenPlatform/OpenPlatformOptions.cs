using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.OpenPlatform;

/// <summary>
/// Settings of the open-platform connector, bound from <c>ConnectorKit:Connectors:open-platform</c> and validated at
/// start-up. Key changes take effect on restart.
/// </summary>
public sealed class OpenPlatformOptions
{
    /// <summary>The bank's gateway, e.g. <c>https://openapi.bank.example/gateway.do</c>; its path is part of every signed text. Required.</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>Our app id at the bank, sent as <c>app_id</c> and required on every notification. Required.</summary>
    public string AppId { get; set; } = string.Empty;

    /// <summary>Our private key and the bank's public keys (PEM text). Required.</summary>
    public GatewayKeyRingOptions Keys { get; set; } = new();

    /// <summary>Where the bank posts asynchronous notifications, on the gateway host's bank-facing port.</summary>
    /// <value><c>/open-platform/notify</c>.</value>
    public string NotifyPath { get; set; } = "/open-platform/notify";

    /// <summary>How far a notification's timestamp may be from our clock, either way.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan NotifyTimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Offset of the gateway's <c>timestamp</c> (<c>yyyy-MM-dd HH:mm:ss</c>).</summary>
    /// <value>+08:00, China Standard Time.</value>
    public TimeSpan TimestampUtcOffset { get; set; } = GatewayNotification.ChinaStandardTime;

    /// <summary>Calls per logical operation, each with a new <c>msg_id</c>, when an answer is retryable or unknown; 1 turns retrying off.</summary>
    /// <value>3.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Pause before the next call when the bank named no delay; doubled per attempt.</summary>
    /// <value>500 milliseconds.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest <c>Retry-After</c> waited for; a longer one ends the operation with the bank's answer.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Profiles per <c>credit.profile.sync</c> call.</summary>
    /// <value>50.</value>
    public int ProfileBatchSize { get; set; } = 50;
}
