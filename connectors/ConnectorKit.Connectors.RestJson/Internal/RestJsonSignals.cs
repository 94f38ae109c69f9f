using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Services;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>
/// The bank's decisions and tranches, from a webhook or a poll, applied through <see cref="IBankSignals"/>. Both
/// sources use the same business keys (one decision per application, one key per tranche and outcome), so whichever
/// comes second is a duplicate; a webhook adds its delivery key so a redelivery is one too.
/// </summary>
internal sealed partial class RestJsonSignals(IBankSignals signals, ILogger<RestJsonSignals> logger)
{
    public const string Prefix = "rest-json:";

    public static string WebhookKey(string messageId) => Prefix + "webhook:" + messageId;

    public static string DecisionKey(string applicationId, BankDecision decision) => decision.Outcome switch
    {
        // A bank may ask for more information more than once; each request has its own decision id.
        "more_info_required" => $"{Prefix}more-info:{applicationId}:{decision.DecisionId ?? "1"}",
        _ => $"{Prefix}decision:{applicationId}",
    };

    public static string TrancheKey(BankTranche tranche) => $"{Prefix}tranche:{tranche.TrancheId}:{tranche.Status}";

    /// <exception cref="FormatException">The decision is incomplete or of an unknown outcome.</exception>
    public async Task<SignalResult> ApplyDecisionAsync(string applicationId, BankDecision decision, string? deliveryKey, CancellationToken ct)
    {
        var keys = Keys(DecisionKey(applicationId, decision), deliveryKey);
        var result = decision.Outcome switch
        {
            "approved" => await signals.ApproveAsync(keys, applicationId, BankMapping.Terms(decision), ct).ConfigureAwait(false),
            "rejected" => await signals.RejectAsync(keys, applicationId, Rejection(decision), ct).ConfigureAwait(false),
            "more_info_required" => await signals.RequestMoreInfoAsync(keys, applicationId, MoreInfo(decision), ct).ConfigureAwait(false),
            _ => throw new FormatException($"Unknown decision outcome '{decision.Outcome}'."),
        };
        LogApplied(logger, "decision " + decision.Outcome, applicationId, result.Duplicate);
        return result;
    }

    /// <summary>Applies a paid or failed tranche; a tranche still pending is no signal yet and returns null.</summary>
    /// <exception cref="FormatException">The tranche lacks an amount or an account.</exception>
    public async Task<SignalResult?> ApplyTrancheAsync(string applicationId, BankTranche tranche, string? deliveryKey, CancellationToken ct)
    {
        var status = tranche.Status switch
        {
            "paid" => DisbursementStatus.Paid,
            "failed" => DisbursementStatus.Failed,
            _ => DisbursementStatus.Unspecified,
        };
        if (status == DisbursementStatus.Unspecified)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(tranche.AccountNumber))
        {
            throw new FormatException($"Tranche {tranche.TrancheId} has no account_number.");
        }

        var result = await signals.DisburseAsync(
            Keys(TrancheKey(tranche), deliveryKey),
            applicationId,
            YuanAmount.FromBank(tranche.Amount),
            tranche.AccountNumber,
            status,
            status == DisbursementStatus.Failed ? tranche.FailureReason ?? "failed at the bank" : null,
            ct).ConfigureAwait(false);
        LogTranche(logger, tranche.TrancheId, tranche.Status, applicationId, Mask.AccountNumber(tranche.AccountNumber), result.Duplicate);
        return result;
    }

    /// <summary>Catches up with the bank's view of one application; a step the state machine refuses now waits for the next round.</summary>
    public async Task ApplySnapshotAsync(ApplicationState localState, BankApplication remote, CancellationToken ct)
    {
        var id = remote.ExternalId;
        if (localState == ApplicationState.Submitted && remote.Status is "under_review" && remote.Decision is null)
        {
            await TryAsync(() => signals.StartReviewAsync([Prefix + "review:" + id], id, "review started at the bank", ct), id).ConfigureAwait(false);
        }

        if (remote.Decision is { } decision)
        {
            await TryAsync(() => ApplyDecisionAsync(id, decision, null, ct), id).ConfigureAwait(false);
        }

        foreach (var tranche in remote.Tranches ?? [])
        {
            await TryAsync(() => ApplyTrancheAsync(id, tranche, null, ct), id).ConfigureAwait(false);
        }

        if (remote.Status == "closed")
        {
            await TryAsync(() => signals.CloseAsync([Prefix + "close:" + id], id, "closed at the bank", ct), id).ConfigureAwait(false);
        }
    }

    private static string[] Keys(string businessKey, string? deliveryKey) => deliveryKey is null ? [businessKey] : [deliveryKey, businessKey];

    private static Rejection Rejection(BankDecision decision)
    {
        var rejection = new Rejection { Message = decision.Message ?? string.Empty };
        rejection.ReasonCodes.AddRange(decision.ReasonCodes is { Count: > 0 } codes ? codes : throw new FormatException("A rejection needs reason_codes."));
        return rejection;
    }

    private static MoreInfoRequest MoreInfo(BankDecision decision)
    {
        var request = new MoreInfoRequest { Message = decision.Message ?? string.Empty };
        request.RequestedItems.AddRange(decision.RequestedItems is { Count: > 0 } items ? items : throw new FormatException("A request for more information needs requested_items."));
        return request;
    }

    private async Task TryAsync<T>(Func<Task<T>> apply, string applicationId)
    {
        try
        {
            await apply().ConfigureAwait(false);
        }
        catch (ApplicationTransitionException e)
        {
            LogRefused(logger, applicationId, e.Message);
        }
        catch (FormatException e)
        {
            LogMalformed(logger, applicationId, e.Message);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Bank {What} for {ApplicationId} applied (duplicate: {Duplicate}).")]
    private static partial void LogApplied(ILogger logger, string what, string applicationId, bool duplicate);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Tranche {TrancheId} {Status} for {ApplicationId} to {Account} applied (duplicate: {Duplicate}).")]
    private static partial void LogTranche(ILogger logger, string trancheId, string status, string applicationId, string account, bool duplicate);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Polled state of {ApplicationId} not applicable yet: {Reason}")]
    private static partial void LogRefused(ILogger logger, string applicationId, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The bank's view of {ApplicationId} is malformed: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string applicationId, string reason);
}
