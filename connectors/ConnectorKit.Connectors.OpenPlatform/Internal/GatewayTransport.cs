using System.Net.Http.Headers;
using System.Text.Json;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Grpc;
using ConnectorKit.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

internal interface IGatewayTransport
{
    /// <summary>One signed call with a new msg_id; never throws for the bank's faults, only for cancellation.</summary>
    Task<GatewayAttempt> SendAsync(string method, string bizContent, CancellationToken cancellationToken);
}

/// <summary>The named client whose registration carries the bank handler pipeline and the gateway's base address.</summary>
internal sealed class GatewayHttpClient(HttpClient http)
{
    public HttpClient Http => http;
}

/// <summary>
/// Builds, signs and sends one gateway call, verifies the answer and says what it means for a retry. A singleton
/// that asks the factory for a client per call, so no handler is held past the factory's rotation.
/// </summary>
internal sealed class GatewayTransport(
    IHttpClientFactory clients,
    IOptions<OpenPlatformOptions> options,
    IOptions<ConnectorKitServerOptions> server,
    GatewayKeys keys,
    TimeProvider timeProvider,
    ILogger<GatewayTransport> logger) : IGatewayTransport
{
    private string BankId => server.Value.BankId;

    public async Task<GatewayAttempt> SendAsync(string method, string bizContent, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var msgId = Guid.NewGuid().ToString("N");
        var form = GatewaySignature.Sign(keys.Ring, o.GatewayUrl!.AbsolutePath,
        [
            new("app_id", o.AppId),
            new("method", method),
            new("msg_id", msgId),
            new("format", "json"),
            new("charset", "utf-8"),
            new("sign_type", "RSA2"),
            new("timestamp", GatewayNotification.FormatTimestamp(timeProvider.GetUtcNow(), o.TimestampUtcOffset)),
            new("biz_content", bizContent),
        ]);

        using var content = new FormUrlEncodedContent(form);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, o.GatewayUrl) { Content = content };

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(OpenPlatformConnector.HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException e)
        {
            return Fault(AttemptOutcome.NotProcessed, method, msgId, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException or BankDeadlineExceededException)
        {
            // The form may have reached the bank before the connection failed.
            return Fault(AttemptOutcome.Unknown, method, msgId, e);
        }

        using (response)
        {
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException)
            {
                return Fault(AttemptOutcome.Unknown, method, msgId, e);
            }

            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var outcome = status switch
                {
                    429 => AttemptOutcome.NotProcessed,
                    408 or >= 500 => AttemptOutcome.Unknown,
                    _ => AttemptOutcome.Final,
                };
                logger.LogWarning("Gateway answered {Method} (msg_id {MsgId}) with HTTP {Status}", method, msgId, status);
                return new GatewayAttempt(outcome, msgId, null, null, null, BankErrorMapper.Map(response, BankId, timeProvider), RetryAfter(response));
            }

            return Interpret(method, msgId, body);
        }
    }

    private GatewayAttempt Interpret(string method, string msgId, byte[] body)
    {
        GatewayResponse verified;
        try
        {
            verified = GatewayResponse.Verify(keys.Ring, body);
        }
        catch (GatewaySignatureException e)
        {
            // Never trusted, and never taken for a refusal either: the bank may have acted on the call.
            logger.LogError("Gateway answer to {Method} (msg_id {MsgId}) refused: {Reason}", method, msgId, e.Message);
            var error = RichStatus.WithErrorInfo(
                StatusCode.Unavailable,
                $"Bank '{BankId}' answered {method} with a response whose signature did not verify: {e.Message}",
                "RESPONSE_SIGNATURE_INVALID",
                BankId,
                new Dictionary<string, string> { ["method"] = method });
            return new GatewayAttempt(AttemptOutcome.Unknown, msgId, null, null, null, error);
        }

        using var document = verified.Parse();
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("return_code", out var codeElement)
            || !codeElement.TryGetInt32(out var code))
        {
            logger.LogError("Gateway answer to {Method} (msg_id {MsgId}) has no return_code", method, msgId);
            var error = RichStatus.WithErrorInfo(
                StatusCode.Unavailable, $"Bank '{BankId}' answered {method} without a return_code.", "RESPONSE_MALFORMED", BankId);
            return new GatewayAttempt(AttemptOutcome.Unknown, msgId, null, null, null, error);
        }

        var message = root.TryGetProperty("return_msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var (outcome, status, reason) = ReturnCodes.Classify(code);
        logger.LogInformation(
            "Gateway answered {Method} (msg_id {MsgId}, bank key {KeyId}) with return_code {ReturnCode}", method, msgId, verified.KeyId, code);
        return new GatewayAttempt(
            outcome,
            msgId,
            code,
            message,
            root.Clone(),
            outcome == AttemptOutcome.Success ? null : ReturnCodes.Error(status, reason, code, message, BankId, method));
    }

    private GatewayAttempt Fault(AttemptOutcome outcome, string method, string msgId, Exception e)
    {
        logger.LogWarning("Gateway call {Method} (msg_id {MsgId}) failed: {Fault}", method, msgId, e.GetType().Name + ": " + e.Message);
        var error = e switch
        {
            TimeoutRejectedException or BankDeadlineExceededException
                => RichStatus.WithErrorInfo(StatusCode.DeadlineExceeded, $"Bank '{BankId}' did not answer {method} in time.", "TIMEOUT", BankId),
            IOException
                => RichStatus.WithErrorInfo(StatusCode.Unavailable, $"Bank '{BankId}': the answer to {method} broke off: {e.Message}", "CONNECTION_BROKEN", BankId),
            _ => BankErrorMapper.Map(e, BankId),
        };
        return new GatewayAttempt(outcome, msgId, null, null, null, error);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var delay = header.Delta ?? (header.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
