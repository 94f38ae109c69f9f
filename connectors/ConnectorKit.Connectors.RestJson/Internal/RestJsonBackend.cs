using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Observability;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>The contract's bank-side calls, forwarded to the bank's REST API.</summary>
internal sealed partial class RestJsonBackend(RestJsonBankApi api, ILogger<RestJsonBackend> logger) : IBankBackend
{
    public async Task PushProfilesAsync(IReadOnlyList<CreditProfile> profiles, CancellationToken cancellationToken)
    {
        // One at a time: the bank's upsert is per profile and a failure must name the profile it stopped at.
        foreach (var profile in profiles)
        {
            await api.UpsertProfileAsync(BankMapping.ToBank(profile), cancellationToken).ConfigureAwait(false);
            LogProfile(logger, Mask.CreditCode(profile.Enterprise.CreditCode), profile.Version);
        }
    }

    public Task RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken)
        => api.RevokeConsentAsync(new BankConsentRevocation(request.ConsentId, request.EnterpriseCreditCode, request.RevokedAt?.ToDateTimeOffset()), cancellationToken);

    public async Task SubmitApplicationAsync(BankSubmission submission, CancellationToken cancellationToken)
    {
        await api.SubmitApplicationAsync(BankMapping.ToBank(submission), cancellationToken).ConfigureAwait(false);
        LogSubmitted(logger, submission.ApplicationId, Mask.CreditCode(submission.Request.EnterpriseCreditCode));
    }

    public Task WithdrawApplicationAsync(BankWithdrawal withdrawal, CancellationToken cancellationToken)
        => api.CancelApplicationAsync(withdrawal.ApplicationId, withdrawal.Reason, cancellationToken);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Profile of {CreditCode} version {Version} sent to the bank.")]
    private static partial void LogProfile(ILogger logger, string creditCode, long version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Application {ApplicationId} of {CreditCode} filed with the bank.")]
    private static partial void LogSubmitted(ILogger logger, string applicationId, string creditCode);
}
