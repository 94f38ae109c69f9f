using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server;

/// <summary>
/// The bank's own systems behind the contract, for a server that is a connector rather than the bank itself.
/// Each call comes after validation and consent checks and before anything is stored, so a call that throws
/// leaves the store unchanged. Throw an <see cref="Grpc.RpcException"/> with the status the platform should see
/// (see <c>BankErrorMapper</c> in ConnectorKit.Connectors). With no backend registered, the server is the bank
/// and these steps are skipped.
/// </summary>
public interface IBankBackend
{
    /// <summary>
    /// Hands profiles to the bank: one for PushCreditProfile, a batch of up to <c>BulkBatchSize</c> for
    /// StreamCreditProfiles. Profiles carry their version; the bank must apply only newer ones.
    /// </summary>
    Task PushProfilesAsync(IReadOnlyList<CreditProfile> profiles, CancellationToken cancellationToken);

    /// <summary>Tells the bank the consent was withdrawn: it deletes the enterprise's profile and stops using it.</summary>
    Task RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Files the application with the bank. May be called again for the same application (a retry after a fault,
    /// or two concurrent duplicates), so pass <see cref="BankSubmission.ApplicationId"/> to the bank as its
    /// idempotency key or external reference.
    /// </summary>
    Task SubmitApplicationAsync(BankSubmission submission, CancellationToken cancellationToken);

    /// <summary>Cancels an undecided application at the bank; the local state changes only after this returns.</summary>
    Task WithdrawApplicationAsync(BankWithdrawal withdrawal, CancellationToken cancellationToken);
}

/// <summary>An application on its way to the bank.</summary>
/// <param name="ApplicationId">Derived from (platform, request id), so every attempt for one request carries the same id.</param>
public sealed record BankSubmission(string ApplicationId, string PlatformId, SubmitApplicationRequest Request);

/// <summary>A withdrawal on its way to the bank.</summary>
public sealed record BankWithdrawal(string ApplicationId, string PlatformId, string Reason);
