using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server;

/// <summary>
/// What the bank's own systems do with an application: review, decide, disburse, close. Each call changes the
/// state, adds a timeline entry and, where the platform must hear of it, queues its LoanEvents callback, all in
/// one transaction. A change the state does not allow throws <see cref="Services.ApplicationTransitionException"/>
/// and changes nothing; an unknown id throws <see cref="Services.ApplicationNotFoundException"/>.
/// </summary>
public interface ILoanDecisions
{
    /// <summary>SUBMITTED or MORE_INFO_REQUIRED → UNDER_REVIEW. No callback.</summary>
    Task<Application> StartReviewAsync(string applicationId, string? note = null, CancellationToken cancellationToken = default);

    /// <summary>Undecided → APPROVED with these terms; the platform is told.</summary>
    Task<Application> ApproveAsync(string applicationId, ApprovedTerms terms, CancellationToken cancellationToken = default);

    /// <summary>Undecided → REJECTED with reason codes; the platform is told.</summary>
    Task<Application> RejectAsync(string applicationId, Rejection rejection, CancellationToken cancellationToken = default);

    /// <summary>SUBMITTED or UNDER_REVIEW → MORE_INFO_REQUIRED; the platform is told what is needed.</summary>
    Task<Application> RequestMoreInfoAsync(string applicationId, MoreInfoRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports one tranche. Paid: APPROVED or DISBURSED → DISBURSED, adding to the disbursed total, which may not
    /// exceed the approved amount. Failed: the state stays, the platform is told why. The account is masked before
    /// it is stored or sent.
    /// </summary>
    Task<Application> DisburseAsync(string applicationId, Money amount, string accountNumber, DisbursementStatus status = DisbursementStatus.Paid, string? failureReason = null, CancellationToken cancellationToken = default);

    /// <summary>APPROVED or DISBURSED → CLOSED: the loan is settled or the facility ended. No callback.</summary>
    Task<Application> CloseAsync(string applicationId, string note, CancellationToken cancellationToken = default);
}
