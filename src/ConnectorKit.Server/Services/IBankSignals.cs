using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server;

/// <summary>
/// <see cref="ILoanDecisions"/> for a connector, whose decisions arrive as the bank's own signals (webhooks,
/// notifications, return files, polling) and may arrive more than once. Each call names the signal by one or more
/// keys (a webhook id, the bank's event or tranche id); the keys are stored in the same transaction as the change,
/// and a call with a key already stored changes nothing and reports <see cref="SignalResult.Duplicate"/>.
/// Prefix keys with their source (<c>webhook:</c>, <c>tranche:</c>) so different sources cannot collide.
/// Exceptions are those of <see cref="ILoanDecisions"/>; a failed call stores no key, so the bank's retry is applied.
/// </summary>
public interface IBankSignals
{
    Task<SignalResult> StartReviewAsync(IReadOnlyList<string> signalKeys, string applicationId, string? note = null, CancellationToken cancellationToken = default);

    Task<SignalResult> ApproveAsync(IReadOnlyList<string> signalKeys, string applicationId, ApprovedTerms terms, CancellationToken cancellationToken = default);

    Task<SignalResult> RejectAsync(IReadOnlyList<string> signalKeys, string applicationId, Rejection rejection, CancellationToken cancellationToken = default);

    Task<SignalResult> RequestMoreInfoAsync(IReadOnlyList<string> signalKeys, string applicationId, MoreInfoRequest request, CancellationToken cancellationToken = default);

    Task<SignalResult> DisburseAsync(IReadOnlyList<string> signalKeys, string applicationId, Money amount, string accountNumber, DisbursementStatus status = DisbursementStatus.Paid, string? failureReason = null, CancellationToken cancellationToken = default);

    Task<SignalResult> CloseAsync(IReadOnlyList<string> signalKeys, string applicationId, string note, CancellationToken cancellationToken = default);
}

/// <summary>The application after a signal.</summary>
/// <param name="Duplicate">True when a key was already stored: nothing changed and no callback was queued.</param>
public sealed record SignalResult(Application Application, bool Duplicate);
