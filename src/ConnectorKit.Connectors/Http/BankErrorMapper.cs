using System.Globalization;
using System.Net;
using System.Text.Json;
using ConnectorKit.Connectors.Http.Internal;
using ConnectorKit.Grpc;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ConnectorKit.Connectors.Http;

/// <summary>
/// The one mapping of bank failures to gRPC statuses. Each status carries an ErrorInfo whose reason is the bank's
/// own code (or <c>HTTP_&lt;status&gt;</c> / a fault name when it gave none), whose domain is the bank's id, and whose
/// metadata holds <c>http_status</c>, <c>bank_message</c> and <c>retry_after</c> (seconds) when known.
/// </summary>
/// <remarks>
/// 401 maps to INTERNAL: the connector's own credentials were refused, a configuration fault the caller can neither
/// fix (UNAUTHENTICATED would blame the caller) nor cure by retrying (UNAVAILABLE would invite retries).
/// A refused token request (<see cref="Auth.OAuth2TokenException"/>) maps to INTERNAL for the same reason.
/// 409 maps to ABORTED: banks answer 409 when a request with the same idempotency key is still running or a
/// concurrent change won; the caller may retry the whole operation later. ALREADY_EXISTS would claim a duplicate
/// that a replayed idempotency key, answered with the stored result, never produces.
/// </remarks>
public static class BankErrorMapper
{
    /// <summary>Metadata key of the bank's HTTP status.</summary>
    public const string HttpStatusKey = "http_status";

    /// <summary>Metadata key of the bank's own message.</summary>
    public const string BankMessageKey = "bank_message";

    /// <summary>Metadata key of the delay the bank asked for, in whole seconds.</summary>
    public const string RetryAfterKey = "retry_after";

    /// <summary>Maps a failed answer by its status and headers only; see <see cref="MapAsync"/> to read a problem+json body.</summary>
    public static RpcException Map(HttpResponseMessage response, string bankId, TimeProvider? timeProvider = null)
        => MapCore(response, bankId, problem: null, timeProvider ?? TimeProvider.System);

    /// <summary>Maps a failed answer, reading an <c>application/problem+json</c> body (RFC 9457) for the bank's code and message.</summary>
    public static async Task<RpcException> MapAsync(
        HttpResponseMessage response, string bankId, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
        return MapCore(response, bankId, problem, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Maps a failure that produced no answer: time-outs, connection faults, an open breaker.</summary>
    public static RpcException Map(Exception exception, string bankId)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentException.ThrowIfNullOrEmpty(bankId);
        return exception switch
        {
            RpcException rpc => rpc,
            Auth.OAuth2TokenException token => Fault(
                StatusCode.Internal, "OAUTH2_" + (token.Error ?? "token_refused").ToUpperInvariant(), token.Message, bankId, null),
            BankDeadlineExceededException deadline => Fault(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED", deadline.Message, bankId, null),
            BrokenCircuitException open => Fault(
                StatusCode.Unavailable, "CIRCUIT_OPEN", "The bank failed too often; calls to it are paused.", bankId, open.RetryAfter),
            TimeoutRejectedException timeout => Fault(
                StatusCode.Unavailable, "TIMEOUT", $"The bank did not answer within {timeout.Timeout.TotalSeconds:0.###} s.", bankId, null),
            HttpRequestException http => Fault(
                StatusCode.Unavailable, "CONNECTION_" + ErrorName(http.HttpRequestError), "The bank could not be reached: " + http.Message, bankId, null),
            OperationCanceledException => Fault(StatusCode.Cancelled, "CANCELLED", "The call to the bank was cancelled.", bankId, null),
            _ => Fault(StatusCode.Unknown, "UNKNOWN", exception.Message, bankId, null),
        };
    }

    private static RpcException MapCore(HttpResponseMessage response, string bankId, Problem? problem, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(bankId);

        var status = (int)response.StatusCode;
        var code = status switch
        {
            400 or 422 => StatusCode.InvalidArgument,
            401 => StatusCode.Internal,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.NotFound,
            409 => StatusCode.Aborted,
            412 => StatusCode.FailedPrecondition,
            429 => StatusCode.ResourceExhausted,
            408 or >= 500 => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };

        var bankMessage = problem?.Detail ?? problem?.Title ?? response.ReasonPhrase ?? string.Empty;
        var reason = problem?.Code ?? $"HTTP_{status}";
        var metadata = new Dictionary<string, string> { [HttpStatusKey] = status.ToString(CultureInfo.InvariantCulture) };
        if (bankMessage.Length > 0)
        {
            metadata[BankMessageKey] = bankMessage;
        }

        var retryAfter = BankResilience.RetryAfter(response, timeProvider);
        var message = status == 401
            ? $"Bank '{bankId}' refused the connector's credentials (HTTP 401): check its configuration. {bankMessage}".TrimEnd()
            : $"Bank '{bankId}' answered HTTP {status} {reason}: {bankMessage}".TrimEnd(' ', ':');
        if (retryAfter is { } wait)
        {
            metadata[RetryAfterKey] = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            message += $" (retry after {wait.TotalSeconds:0.###} s)";
        }

        return Build(code, message, reason, bankId, metadata, retryAfter);
    }

    private static RpcException Fault(StatusCode code, string reason, string message, string bankId, TimeSpan? retryAfter)
    {
        var metadata = new Dictionary<string, string>();
        if (retryAfter is { } wait)
        {
            metadata[RetryAfterKey] = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return Build(code, $"Bank '{bankId}': {message}", reason, bankId, metadata, retryAfter);
    }

    private static RpcException Build(
        StatusCode code, string message, string reason, string bankId, Dictionary<string, string> metadata, TimeSpan? retryAfter)
    {
        var info = new ErrorInfo { Reason = reason, Domain = bankId };
        info.Metadata.Add(metadata);
        return retryAfter is { } wait
            ? RichStatus.Create(code, message, info, new RetryInfo { RetryDelay = Duration.FromTimeSpan(wait) })
            : RichStatus.Create(code, message, info);
    }

    private static string ErrorName(HttpRequestError error) => error switch
    {
        HttpRequestError.ConnectionError => "ERROR",
        HttpRequestError.ResponseEnded => "RESPONSE_ENDED",
        HttpRequestError.InvalidResponse => "INVALID_RESPONSE",
        HttpRequestError.NameResolutionError => "NAME_RESOLUTION",
        HttpRequestError.SecureConnectionError => "TLS",
        _ => "FAILED",
    };

    private static async Task<Problem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !(mediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase)
                                   || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        try
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = document.RootElement;
            return new Problem(Text(root, "code"), Text(root, "title"), Text(root, "detail"));
        }
        catch (JsonException)
        {
            // A body that is not JSON after all: map by status alone.
            return null;
        }
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? value.ToString()
            : null;

    private sealed record Problem(string? Code, string? Title, string? Detail);
}
