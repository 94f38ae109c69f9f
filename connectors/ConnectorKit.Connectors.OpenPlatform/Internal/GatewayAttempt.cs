using System.Text.Json;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>What one signed call to the gateway told us, as far as retrying is concerned.</summary>
internal enum AttemptOutcome
{
    /// <summary>return_code 0 in a verified answer.</summary>
    Success,

    /// <summary>return_code above 0: the method ran and refused; the caller decides what each code means.</summary>
    Business,

    /// <summary>Refused before the method ran (rate or concurrency limit, HTTP 429, open breaker): safe to call again.</summary>
    NotProcessed,

    /// <summary>The method may or may not have run (return_code below 0, time-out, broken answer, bad signature).</summary>
    Unknown,

    /// <summary>A fault retrying cannot cure: our signature, clock, parameters or permission.</summary>
    Final,
}

/// <param name="Content">The verified business content (a clone, safe to keep), when the answer verified.</param>
/// <param name="Error">The status to report if this attempt is the last; null on success.</param>
internal sealed record GatewayAttempt(
    AttemptOutcome Outcome,
    string MsgId,
    int? ReturnCode,
    string? ReturnMessage,
    JsonElement? Content,
    RpcException? Error,
    TimeSpan? RetryAfter = null);
