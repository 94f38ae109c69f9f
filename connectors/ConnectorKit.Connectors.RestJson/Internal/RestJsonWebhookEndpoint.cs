using System.Text.Json;
using ConnectorKit.Connectors.Webhooks;
using ConnectorKit.Server.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>
/// Receives the bank's webhooks. The answer tells the bank whether to redeliver: 2xx for applied or duplicate,
/// 400/401 for a delivery that will never be valid, 409 and 404 for one the state here cannot take yet.
/// </summary>
internal static partial class RestJsonWebhookEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context, StandardWebhookVerifier verifier, RestJsonSignals signals, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(RestJsonWebhookEndpoint).FullName!);
        var ct = context.RequestAborted;
        var verification = await verifier.VerifyAsync(context.Request, ct).ConfigureAwait(false);
        if (!verification.IsValid)
        {
            LogRefused(logger, verification.Status, verification.MessageId ?? "(none)");
            return Problem(verification.SuggestedHttpStatus, "webhook-not-verified", verification.Status.ToString(), "The delivery failed Standard Webhooks verification.");
        }

        BankEvent? bankEvent;
        try
        {
            bankEvent = JsonSerializer.Deserialize<BankEvent>(verification.Body.Span, BankJson.Options);
        }
        catch (JsonException)
        {
            bankEvent = null;
        }

        if (bankEvent?.Data is not { ExternalId: { Length: > 0 } applicationId } data)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed-event", "MALFORMED_EVENT", "The event is not JSON with data.external_id.");
        }

        var deliveryKey = RestJsonSignals.WebhookKey(verification.MessageId!);
        try
        {
            var duplicate = bankEvent.Type switch
            {
                "application.decided" when data.Decision is { } decision
                    => (await signals.ApplyDecisionAsync(applicationId, decision, deliveryKey, ct).ConfigureAwait(false)).Duplicate,
                "disbursement.paid" or "disbursement.failed" when data.Tranche is { } tranche && tranche.Status == bankEvent.Type["disbursement.".Length..]
                    => (await signals.ApplyTrancheAsync(applicationId, tranche, deliveryKey, ct).ConfigureAwait(false))?.Duplicate ?? false,
                "application.decided" or "disbursement.paid" or "disbursement.failed"
                    => throw new FormatException($"A {bankEvent.Type} event without a matching decision or tranche."),
                _ => (bool?)null,
            };

            if (duplicate is null)
            {
                // Redelivering an event this connector does not know would not make it known.
                LogIgnored(logger, bankEvent.Type, verification.MessageId!);
                return Results.Json(new { status = "ignored" }, statusCode: StatusCodes.Status202Accepted);
            }

            return Results.Json(new { status = duplicate.Value ? "duplicate" : "applied" });
        }
        catch (FormatException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed-event", "MALFORMED_EVENT", e.Message);
        }
        catch (ApplicationTransitionException e)
        {
            LogNotYet(logger, bankEvent.Type, applicationId, e.State.ToString());
            return Problem(StatusCodes.Status409Conflict, "not-applicable-yet", "STATE_CONFLICT", e.Message);
        }
        catch (ApplicationNotFoundException)
        {
            // Possibly an application whose submit the platform is still retrying: let the bank redeliver.
            return Problem(StatusCodes.Status404NotFound, "unknown-application", "UNKNOWN_APPLICATION", $"No application '{applicationId}' here yet.");
        }
    }

    private static IResult Problem(int status, string type, string code, string detail)
        => Results.Problem(
            detail: detail,
            statusCode: status,
            title: code,
            type: "https://connectorkit.dev/problems/" + type,
            extensions: new Dictionary<string, object?> { ["code"] = code });

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Webhook {MessageId} refused: {Status}.")]
    private static partial void LogRefused(ILogger logger, WebhookVerificationStatus status, string messageId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Webhook {MessageId} of unknown type {Type} ignored.")]
    private static partial void LogIgnored(ILogger logger, string type, string messageId);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Webhook {Type} for {ApplicationId} cannot apply in state {State} yet; the bank will redeliver.")]
    private static partial void LogNotYet(ILogger logger, string type, string applicationId, string state);
}
