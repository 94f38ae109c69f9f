using System.Globalization;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using System.Reflection;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// The bank-side rpcs of a bank that only reads files: each accepted request becomes a spool record on disk
/// before the call returns; the cut-off turns the spool into the day's request files.
/// </summary>
internal sealed class BatchFileBackend(RequestSpool spool, IOptions<BatchFileOptions> options, TimeProvider time, ILogger<BatchFileBackend> logger) : IBankBackend
{
    private TimeSpan Offset => options.Value.BusinessUtcOffset;

    public Task PushProfilesAsync(IReadOnlyList<CreditProfile> profiles, CancellationToken cancellationToken)
    {
        foreach (var profile in profiles)
        {
            var enterprise = profile.Enterprise;
            var version = profile.Version.ToString(CultureInfo.InvariantCulture);
            spool.Append(BankLayouts.Profiles, $"U:{enterprise.CreditCode}:{profile.Source}:{version}",
            [
                "U",
                enterprise.CreditCode,
                Clean(profile.Consent?.ConsentId),
                Clean(profile.Source),
                version,
                Clean(enterprise.Name),
                Clean(enterprise.DivisionCode),
                Clean(enterprise.IndustryCode),
                Name(enterprise.Size),
                Name(profile.Grade),
                profile.Score.ToString(CultureInfo.InvariantCulture),
                (profile.InnovationPoints?.TotalPoints ?? 0).ToString(CultureInfo.InvariantCulture),
                Fen(enterprise.AnnualRevenue),
                profile.Consent?.ExpiresAt is { } expires ? expires.ToDateTimeOffset().ToOffset(Offset).ToString("yyyyMMdd", CultureInfo.InvariantCulture) : string.Empty,
                profile.AsOf is { } asOf ? RequestSpool.Timestamp(asOf.ToDateTimeOffset(), Offset) : string.Empty,
                string.Empty,
            ]);
            logger.LogInformation("Spooled profile v{Version} of {CreditCode} for the next cut-off.", version, Masking.Mask(enterprise.CreditCode));
        }

        return Task.CompletedTask;
    }

    public Task RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken)
    {
        var revokedAt = request.RevokedAt?.ToDateTimeOffset() ?? time.GetUtcNow();
        spool.Append(BankLayouts.Profiles, "R:" + request.ConsentId,
        [
            "R", request.EnterpriseCreditCode, Clean(request.ConsentId),
            "", "", "", "", "", "", "", "", "", "", "", "",
            RequestSpool.Timestamp(revokedAt, Offset),
        ]);
        logger.LogInformation("Spooled consent revocation for {CreditCode}.", Masking.Mask(request.EnterpriseCreditCode));
        return Task.CompletedTask;
    }

    public Task SubmitApplicationAsync(BankSubmission submission, CancellationToken cancellationToken)
    {
        var request = submission.Request;
        spool.Append(BankLayouts.Applications, "N:" + submission.ApplicationId,
        [
            "N",
            submission.ApplicationId,
            Clean(submission.PlatformId),
            request.EnterpriseCreditCode,
            Clean(request.Consent?.ConsentId),
            Name(request.Product),
            Fen(request.RequestedAmount),
            Clean(request.RequestedAmount?.CurrencyCode),
            request.TermMonths.ToString(CultureInfo.InvariantCulture),
            Clean(request.Guarantee?.GuarantorCreditCode),
            request.Guarantee is { } guarantee ? guarantee.FeeRateBp.ToString(CultureInfo.InvariantCulture) : string.Empty,
            Clean(request.Purpose),
            Clean(request.Contact?.Name),
            Clean(request.Contact?.Phone),
            RequestSpool.Timestamp(time.GetUtcNow(), Offset),
            string.Empty,
        ]);
        logger.LogInformation("Spooled application {ApplicationId} of {CreditCode} for the next cut-off.", submission.ApplicationId, Masking.Mask(request.EnterpriseCreditCode));
        return Task.CompletedTask;
    }

    public Task WithdrawApplicationAsync(BankWithdrawal withdrawal, CancellationToken cancellationToken)
    {
        spool.Append(BankLayouts.Applications, "C:" + withdrawal.ApplicationId,
        [
            "C", withdrawal.ApplicationId, Clean(withdrawal.PlatformId),
            "", "", "", "", "", "", "", "", "", "", "",
            RequestSpool.Timestamp(time.GetUtcNow(), Offset),
            Clean(withdrawal.Reason),
        ]);
        logger.LogInformation("Spooled cancellation of application {ApplicationId}.", withdrawal.ApplicationId);
        return Task.CompletedTask;
    }

    // Free text may not carry the delimiter or line breaks into a record.
    private static string Clean(string? text)
        => string.IsNullOrEmpty(text) ? string.Empty : text.Replace('|', ' ').Replace('\r', ' ').Replace('\n', ' ').Trim();

    private static string Fen(Money? money) => money is null ? string.Empty : money.UnitsMinor.ToString(CultureInfo.InvariantCulture);

    // Proto names (PRODUCT_TYPE_PARK_GUARANTEE_LOAN) stay stable when the C# names change.
    private static string Name<T>(T value)
        where T : struct, Enum
        => Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0
            ? string.Empty
            : typeof(T).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();
}
