using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>
/// The bank's callbacks reach the platform: each carries an event id, the bank id and a per-application sequence;
/// they arrive in order, a repeated bank signal is not told twice, and a platform outage only delays them.
/// </summary>
[SuiteCategory(ConformanceCategory.Callbacks)]
public class CallbacksSuite : ContractSuite
{
    [ConformanceCase("CK-CB-001", "an approval is told with its terms, an event id, this bank's id and sequence 1", Rule = "connectorkit.v1.LoanEventsService.NotifyApprovalDecision")]
    public virtual async Task ApprovalTold()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);

        await ApproveAsync(application.ApplicationId, amountYuan: 800_000).ConfigureAwait(false);
        var callback = (await CallbacksAsync(application.ApplicationId, 1).ConfigureAwait(false))[0];

        var decision = callback.Message as NotifyApprovalDecisionRequest;
        Require(decision?.Approved is not null, $"The first callback is {callback.Kind}; expected an approval decision.");
        Require(decision!.Approved.Amount.UnitsMinor == 80_000_000, $"The approval carries {decision.Approved.Amount.UnitsMinor} fen; the bank approved 80000000.");
        Require(!string.IsNullOrEmpty(decision.Header.EventId), "The callback has no event_id; the platform deduplicates on it.");
        Require(decision.Header.BankId == Target.BankId, $"The callback names bank '{decision.Header.BankId}'; expected '{Target.BankId}'.");
        Require(decision.Header.Sequence == 1, $"The first callback of the application has sequence {decision.Header.Sequence}; expected 1.");
    }

    [ConformanceCase("CK-CB-002", "a paid tranche is told with its amount and a masked account, after the approval", Rule = "connectorkit.v1.LoanEventsService.NotifyDisbursement")]
    public virtual async Task DisbursementTold()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);

        await DisburseAsync(application.ApplicationId, "T1-" + application.ApplicationId[^8..], 50_000_000).ConfigureAwait(false);
        var callbacks = await CallbacksAsync(application.ApplicationId, 2).ConfigureAwait(false);

        var paid = callbacks.Select(c => c.Message).OfType<NotifyDisbursementRequest>().FirstOrDefault();
        Require(paid is not null, "No NotifyDisbursement arrived for the paid tranche.");
        Require(paid!.Amount.UnitsMinor == 50_000_000, $"The disbursement carries {paid.Amount.UnitsMinor} fen; the tranche was 50000000.");
        Require(paid.Status == DisbursementStatus.Paid, $"The disbursement status is {paid.Status}; expected PAID.");
        Require(paid.MaskedAccount.Contains('*', StringComparison.Ordinal), $"masked_account '{paid.MaskedAccount}' shows the whole account; only its last digits may be sent.");
        Require(paid.Header.Sequence > 1, $"The disbursement has sequence {paid.Header.Sequence}, not after the approval's.");
    }

    [ConformanceCase("CK-CB-003", "a bank signal delivered twice is told once", Rule = "design: delivery is at least once, the effect exactly once")]
    public virtual async Task RepeatedSignalToldOnce()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await CallbacksAsync(application.ApplicationId, 1).ConfigureAwait(false);

        var again = await Target.Driver.RedeliverLastAsync(application.ApplicationId, CancellationToken).ConfigureAwait(false);
        Evidence("redelivery", again.Detail);
        await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken).ConfigureAwait(false);

        var told = Target.Callbacks.Received.Where(c => c.ApplicationId == application.ApplicationId).ToList();
        Require(told.Select(c => c.EventId).Distinct().Count() == 1, $"The platform was told {told.Select(c => c.EventId).Distinct().Count()} distinct events for one approval signal delivered twice.");
    }

    [ConformanceCase("CK-CB-004", "callbacks of one application arrive in sequence order with no gaps", Rule = "connectorkit.v1.EventHeader.sequence", Requires = Connectors.ConnectorCapabilities.PartialDisbursement)]
    public virtual async Task InOrder()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);
        await DisburseAsync(application.ApplicationId, "T1-" + application.ApplicationId[^8..], 10_000_000).ConfigureAwait(false);
        await DisburseAsync(application.ApplicationId, "T2-" + application.ApplicationId[^8..], 20_000_000).ConfigureAwait(false);

        var callbacks = await CallbacksAsync(application.ApplicationId, 3).ConfigureAwait(false);

        var sequences = callbacks.GroupBy(c => c.EventId).Select(g => g.First().Sequence).ToList();
        Require(sequences.SequenceEqual([1UL, 2UL, 3UL]), $"Sequences arrived as [{string.Join(", ", sequences)}]; expected [1, 2, 3].");
    }

    [ConformanceCase("CK-CB-006", "a tranche signalled before the approval is not acknowledged, and applies once the approval came", Rule = "design: a disbursement before approval is refused; nothing acknowledged is lost")]
    public virtual async Task EarlyTrancheNotAcknowledged()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        var trancheId = "T1-" + application.ApplicationId[^8..];

        var early = await Target.Driver.DisburseAsync(application.ApplicationId, trancheId, 30_000_000, CancellationToken).ConfigureAwait(false);
        Evidence("early tranche", early.Detail);
        Require(!early.Acknowledged, $"The target acknowledged a tranche for an application that is not approved ({early.Detail}); the bank will not send it again, so it is lost or applied against the state machine.");
        var afterEarly = await GetAsync(application.ApplicationId).ConfigureAwait(false);
        Require(afterEarly.State == ApplicationState.Submitted, $"The early tranche moved the application to {afterEarly.State.ToContractName()}.");

        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);
        var redelivered = await Target.Driver.DisburseAsync(application.ApplicationId, trancheId, 30_000_000, CancellationToken).ConfigureAwait(false);

        Require(redelivered.Acknowledged, $"The tranche delivered again after the approval was not acknowledged ({redelivered.Detail}).");
        var paid = await WaitForStateAsync(application.ApplicationId, ApplicationState.Disbursed).ConfigureAwait(false);
        Require(paid.DisbursedTotal?.UnitsMinor == 30_000_000, $"disbursed_total is {paid.DisbursedTotal?.UnitsMinor} fen after the 30000000 fen tranche.");
    }

    [ConformanceCase("CK-CB-005", "a callback the platform could not take is delivered again, with the same event id", Rule = "design: delivery is at least once", Exclusive = true)]
    public virtual async Task RedeliveredAfterOutage()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        Target.Callbacks.Failures.Enqueue(StatusCode.Unavailable);
        Target.Callbacks.Failures.Enqueue(StatusCode.Unavailable);

        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        var callbacks = await CallbacksAsync(application.ApplicationId, 1).ConfigureAwait(false);

        Require(callbacks[0].Kind == "decision:Approved", $"After two refused deliveries the platform got {callbacks[0].Kind}; expected the approval.");
        while (Target.Callbacks.Failures.TryDequeue(out _))
        {
        }
    }
}
