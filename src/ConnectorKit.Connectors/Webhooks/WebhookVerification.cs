namespace ConnectorKit.Connectors.Webhooks;

/// <summary>Why a delivery was accepted or refused.</summary>
public enum WebhookVerificationStatus
{
    /// <summary>One signature matched one configured secret, within the timestamp tolerance.</summary>
    Valid,

    /// <summary>A Standard Webhooks header is missing or empty.</summary>
    MissingHeaders,

    /// <summary><c>webhook-timestamp</c> is not a whole number of seconds.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp lies further from now than the tolerance, in either direction: a replay or a skewed clock.</summary>
    TimestampOutOfTolerance,

    /// <summary>No <c>v1</c> signature matched any configured secret: a tampered body, id or timestamp, or a wrong secret.</summary>
    InvalidSignature,

    /// <summary>The body is larger than the verifier accepts.</summary>
    BodyTooLarge,
}

/// <summary>The outcome of verifying one delivery.</summary>
/// <param name="MessageId">The <c>webhook-id</c> as sent (null when missing); trust it only when <see cref="IsValid"/>.</param>
/// <param name="Timestamp">The sender's timestamp when it parsed.</param>
/// <param name="Body">The raw body that was verified; parse this, not a re-read of the request.</param>
public sealed record WebhookVerification(
    WebhookVerificationStatus Status,
    string? MessageId,
    DateTimeOffset? Timestamp,
    ReadOnlyMemory<byte> Body)
{
    public bool IsValid => Status == WebhookVerificationStatus.Valid;

    /// <summary>
    /// The HTTP status to answer a refused delivery with: 400 for a malformed one, 401 for a bad signature or a stale
    /// timestamp, 413 for an oversize body; 200 when valid.
    /// </summary>
    public int SuggestedHttpStatus => Status switch
    {
        WebhookVerificationStatus.Valid => 200,
        WebhookVerificationStatus.MissingHeaders or WebhookVerificationStatus.MalformedTimestamp => 400,
        WebhookVerificationStatus.BodyTooLarge => 413,
        _ => 401,
    };
}
