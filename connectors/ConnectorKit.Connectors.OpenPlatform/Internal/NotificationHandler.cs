using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>
/// The bank's asynchronous notifications: verified, applied once through <see cref="IBankSignals"/>, and answered
/// with a signed acknowledgement only once applied (or already applied), so the bank keeps retrying anything else.
/// </summary>
internal sealed class NotificationHandler(
    IBankSignals signals,
    GatewayKeys keys,
    IOptions<OpenPlatformOptions> options,
    TimeProvider timeProvider,
    ILogger<NotificationHandler> logger)
{
    public const string DecidedMethod = "loan.apply.decided";
    public const string DisbursementMethod = "loan.disbursement.notify";
    private const string KeyPrefix = "open-platform:";

    public async Task HandleAsync(HttpContext context)
    {
        var o = options.Value;
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "expected application/x-www-form-urlencoded").ConfigureAwait(false);
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var pairs = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? string.Empty))).ToList();
        var path = (request.PathBase + request.Path).Value ?? o.NotifyPath;
        var check = GatewayNotification.Verify(keys.Ring, path, pairs, o.AppId, o.NotifyTimestampTolerance, timeProvider, o.TimestampUtcOffset);
        var notifyId = form["notify_id"].ToString();
        if (!check.IsValid)
        {
            logger.LogWarning("Notification {NotifyId} refused ({Status}): {Reason}", notifyId, check.Status, check.Reason);
            var status = check.Status == GatewayNotificationStatus.BadSignature ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
            await RefuseAsync(context, status, check.Reason).ConfigureAwait(false);
            return;
        }

        var method = form["method"].ToString();
        if (string.IsNullOrEmpty(notifyId) || form["notify_id"].Count != 1 || form["biz_content"].Count != 1)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "notify_id and biz_content must each appear once").ConfigureAwait(false);
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(form["biz_content"].ToString());
            var biz = document.RootElement;
            var result = method switch
            {
                DecidedMethod => await DecidedAsync(notifyId, biz, context.RequestAborted).ConfigureAwait(false),
                DisbursementMethod => await DisbursedAsync(notifyId, biz, context.RequestAborted).ConfigureAwait(false),
                _ => throw new NotificationFormatException($"unknown method '{method}'"),
            };
            logger.LogInformation(
                "Notification {NotifyId} ({Method}, bank key {KeyId}) {Effect} for {ApplicationId}",
                notifyId, method, check.KeyId, result.Duplicate ? "was a repeat" : "applied", result.Application.ApplicationId);
        }
        catch (Exception e) when (e is JsonException or NotificationFormatException or ArgumentException)
        {
            logger.LogWarning("Notification {NotifyId} ({Method}) malformed: {Reason}", notifyId, method, e.Message);
            await RefuseAsync(context, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is ApplicationTransitionException or ApplicationNotFoundException)
        {
            // Not acknowledged: the bank retries, and a disbursement that overtook its approval applies later.
            logger.LogWarning("Notification {NotifyId} ({Method}) not applied yet: {Reason}", notifyId, method, e.Message);
            context.Response.Headers.RetryAfter = "30";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
            return;
        }

        var ack = new JsonObject { ["return_code"] = 0, ["return_msg"] = "success", ["notify_id"] = notifyId }.ToJsonString();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(GatewayResponse.CreateSigned(keys.Ring, ack), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<SignalResult> DecidedAsync(string notifyId, JsonElement biz, CancellationToken ct)
    {
        var applicationId = Required(biz, "out_biz_no");
        var decisionNo = Required(biz, "decision_no");
        string[] signalKeys = [KeyPrefix + "notify:" + notifyId, KeyPrefix + "decision:" + decisionNo];
        switch (Required(biz, "decision"))
        {
            case "REVIEWING":
                return await signals.StartReviewAsync(signalKeys, applicationId, BizContent.Text(biz, "message"), ct).ConfigureAwait(false);
            case "APPROVED":
                var terms = new ApprovedTerms
                {
                    Amount = Money(biz, "approved_amount"),
                    AnnualRateBp = checked((int)Integer(biz, "annual_rate_bp")),
                    TermMonths = checked((int)Integer(biz, "term_months")),
                };
                terms.Conditions.AddRange(BizContent.Strings(biz, "conditions"));
                return await signals.ApproveAsync(signalKeys, applicationId, terms, ct).ConfigureAwait(false);
            case "REJECTED":
                var rejection = new Rejection { Message = BizContent.Text(biz, "message") ?? string.Empty };
                rejection.ReasonCodes.AddRange(BizContent.Strings(biz, "reject_codes"));
                return await signals.RejectAsync(signalKeys, applicationId, rejection, ct).ConfigureAwait(false);
            case "MORE_INFO":
                var more = new MoreInfoRequest { Message = BizContent.Text(biz, "message") ?? string.Empty };
                more.RequestedItems.AddRange(BizContent.Strings(biz, "info_items"));
                return await signals.RequestMoreInfoAsync(signalKeys, applicationId, more, ct).ConfigureAwait(false);
            case var other:
                throw new NotificationFormatException($"unknown decision '{other}'");
        }
    }

    private async Task<SignalResult> DisbursedAsync(string notifyId, JsonElement biz, CancellationToken ct)
    {
        var applicationId = Required(biz, "out_biz_no");
        var trancheNo = Required(biz, "tranche_no");
        var account = Required(biz, "account_no");
        var status = Required(biz, "status") switch
        {
            "PAID" => DisbursementStatus.Paid,
            "FAILED" => DisbursementStatus.Failed,
            var other => throw new NotificationFormatException($"unknown disbursement status '{other}'"),
        };
        logger.LogInformation("Tranche {TrancheNo} of {ApplicationId} {Status} to {Account}", trancheNo, applicationId, status, Mask.AccountNumber(account));
        return await signals.DisburseAsync(
            [KeyPrefix + "notify:" + notifyId, KeyPrefix + "tranche:" + trancheNo],
            applicationId,
            Money(biz, "amount"),
            account,
            status,
            BizContent.Text(biz, "fail_reason"),
            ct).ConfigureAwait(false);
    }

    private static string Required(JsonElement biz, string name)
        => BizContent.Text(biz, name) is { Length: > 0 } value ? value : throw new NotificationFormatException($"biz_content.{name} is missing");

    private static long Integer(JsonElement biz, string name)
        => BizContent.TryInt64(biz, name, out var value) ? value : throw new NotificationFormatException($"biz_content.{name} must be an integer");

    private static Money Money(JsonElement biz, string name)
        => new() { UnitsMinor = Integer(biz, name), CurrencyCode = BizContent.Text(biz, "currency") ?? "CNY" };

    private static Task RefuseAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(new JsonObject { ["return_code"] = status, ["return_msg"] = reason }.ToJsonString(), context.RequestAborted);
    }

    private sealed class NotificationFormatException(string message) : Exception(message);
}
