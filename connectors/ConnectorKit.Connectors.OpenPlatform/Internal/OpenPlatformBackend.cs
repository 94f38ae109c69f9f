using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>The contract's bank-side calls as gateway methods; out_biz_no is always our application id.</summary>
internal sealed class OpenPlatformBackend(
    GatewayCaller caller,
    IOptions<OpenPlatformOptions> options,
    ILogger<OpenPlatformBackend> logger) : IBankBackend
{
    public async Task PushProfilesAsync(IReadOnlyList<CreditProfile> profiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var o = options.Value;
        foreach (var chunk in profiles.Chunk(o.ProfileBatchSize))
        {
            var result = await caller.CallAsync("credit.profile.sync", BizContent.Profiles(chunk, o.TimestampUtcOffset), cancellationToken).ConfigureAwait(false);

            // The bank holds the version already (an earlier attempt got through): nothing left to do.
            if (result.Outcome == AttemptOutcome.Business && result.ReturnCode != ReturnCodes.StaleVersion)
            {
                throw result.Error!;
            }
        }
    }

    public async Task RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await caller.CallAsync("credit.consent.revoke", BizContent.Revoke(request, options.Value.TimestampUtcOffset), cancellationToken).ConfigureAwait(false);
        if (result.Outcome == AttemptOutcome.Business && result.ReturnCode != ReturnCodes.NotFound)
        {
            throw result.Error!;
        }

        logger.LogInformation("Consent {ConsentId} of {CreditCode} revoked at the bank", request.ConsentId, Mask.CreditCode(request.EnterpriseCreditCode));
    }

    public async Task SubmitApplicationAsync(BankSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var result = await caller.SubmitAsync(
            submission.ApplicationId, BizContent.Submit(submission, options.Value.TimestampUtcOffset), cancellationToken).ConfigureAwait(false);
        if (result.Outcome != AttemptOutcome.Success)
        {
            throw result.Error!;
        }

        logger.LogInformation(
            "Application {ApplicationId} filed at the bank as {ApplyNo}", submission.ApplicationId, result.Content is { } c ? BizContent.Text(c, "apply_no") : null);
    }

    public async Task WithdrawApplicationAsync(BankWithdrawal withdrawal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(withdrawal);
        var result = await caller.CallAsync("loan.apply.cancel", BizContent.Cancel(withdrawal), cancellationToken).ConfigureAwait(false);
        if (result.Outcome == AttemptOutcome.Business)
        {
            if (result.ReturnCode != ReturnCodes.NotFound)
            {
                throw result.Error!;
            }

            // Nothing at the bank to cancel (its submit never arrived); the local withdrawal may go ahead.
            logger.LogWarning("The bank holds no application {ApplicationId} to cancel; withdrawing locally", withdrawal.ApplicationId);
        }
    }
}
