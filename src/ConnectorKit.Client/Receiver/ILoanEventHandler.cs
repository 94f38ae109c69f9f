using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Receiver;

/// <summary>
/// The platform's reaction to a bank's callback (notify the enterprise, update a dashboard, …). The receiver calls it
/// once per event, after the input, tenancy, deduplication, ordering and state-machine checks passed, inside the
/// store's write transaction, and acknowledges the bank only after the event and the new state committed.
/// </summary>
/// <remarks>
/// <para>If a method throws, the transaction rolls back and the bank gets UNAVAILABLE, so it redelivers the same event
/// later; the handler then runs again. Once an event has committed, the handler is never called for it again.</para>
/// <para>A crash (or a failed commit) after the handler returned and before the commit makes the bank redeliver an
/// event whose effect already happened: exactly-once across that window is impossible in general, so handlers must be
/// idempotent on <see cref="LoanEventContext.EventId"/> (with <see cref="LoanEventContext.BankId"/>).</para>
/// <para>SQLite holds its write lock while a handler runs: keep handlers short, or hand work to a queue.</para>
/// </remarks>
public interface ILoanEventHandler
{
    /// <summary>The bank approved, rejected, or asked for more information.</summary>
    Task OnApprovalDecisionAsync(NotifyApprovalDecisionRequest request, LoanEventContext context, CancellationToken cancellationToken);

    /// <summary>A tranche was paid out, or a payout failed.</summary>
    Task OnDisbursementAsync(NotifyDisbursementRequest request, LoanEventContext context, CancellationToken cancellationToken);
}

/// <summary>Facts about one callback that passed every check.</summary>
/// <param name="BankId">The authenticated bank (equal to header.bank_id).</param>
/// <param name="Previous">The application before this event.</param>
/// <param name="Next">The application as it will be stored when the event commits.</param>
public sealed record LoanEventContext(string BankId, string ApplicationId, string EventId, ulong Sequence, DateTimeOffset OccurredAt, TrackedApplication Previous, TrackedApplication Next);
