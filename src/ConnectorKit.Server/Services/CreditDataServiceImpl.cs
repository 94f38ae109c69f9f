using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Validation;
using Google.Protobuf;
using Google.Rpc;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Services;

/// <summary>
/// CreditDataService: versioned profile upserts, the bulk sync, consent revocation. Every request is validated
/// before the store is touched; a revoked consent is refused until a new one arrives.
/// </summary>
internal sealed class CreditDataServiceImpl(
    IConnectorKitStore store,
    RequestValidator validator,
    IOptions<ConnectorKitServerOptions> options,
    TimeProvider timeProvider,
    IBankBackend? backend = null) : CreditDataService.CreditDataServiceBase
{
    public override async Task<PushCreditProfileResponse> PushCreditProfile(PushCreditProfileRequest request, ServerCallContext context)
    {
        validator.ValidateProfile(request.Profile).ThrowIfInvalid();
        await ThrowIfRevokedAsync(request.Profile.Consent.ConsentId, context.CancellationToken).ConfigureAwait(false);
        if (backend is not null)
        {
            // A profile the store would call stale is not sent; anything else reaches the bank before it is stored.
            var stored = await store.GetProfileAsync(request.Profile.Enterprise.CreditCode, request.Profile.Source, context.CancellationToken).ConfigureAwait(false);
            if (stored is not null && stored.Version >= request.Profile.Version)
            {
                return new PushCreditProfileResponse { Outcome = ProfileOutcome.Stale, StoredVersion = stored.Version };
            }

            await backend.PushProfilesAsync([request.Profile], context.CancellationToken).ConfigureAwait(false);
        }

        var result = await store.UpsertProfileAsync(ToStored(request.Profile), context.CancellationToken).ConfigureAwait(false);
        return new PushCreditProfileResponse { Outcome = ToOutcome(result.Outcome), StoredVersion = result.StoredVersion };
    }

    public override async Task<StreamCreditProfilesResponse> StreamCreditProfiles(IAsyncStreamReader<StreamCreditProfilesRequest> requestStream, ServerCallContext context)
    {
        var settings = options.Value;
        var summary = new StreamCreditProfilesResponse();
        var batch = new List<StoredProfile>(settings.BulkBatchSize);
        var forwarded = backend is null ? null : new List<CreditProfile>(settings.BulkBatchSize);

        // Revocations seen in this stream; bounded because each entry is one consent, and cleared per batch.
        var revoked = new Dictionary<string, bool>(StringComparer.Ordinal);
        long index = -1;
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            index++;
            var profile = requestStream.Current.Profile;
            var result = validator.ValidateProfile(profile);
            if (!result.IsValid)
            {
                var (field, reason) = FirstFault(result);
                Reject(summary, settings, index, profile?.Enterprise?.CreditCode, field, reason);
                continue;
            }

            var consentId = profile!.Consent.ConsentId;
            if (!revoked.TryGetValue(consentId, out var isRevoked))
            {
                isRevoked = await store.IsConsentRevokedAsync(consentId, context.CancellationToken).ConfigureAwait(false);
                revoked[consentId] = isRevoked;
            }

            if (isRevoked)
            {
                Reject(summary, settings, index, profile.Enterprise.CreditCode, "profile.consent", "consent was revoked; a new consent is needed");
                continue;
            }

            batch.Add(ToStored(profile));
            forwarded?.Add(profile);
            if (batch.Count >= settings.BulkBatchSize)
            {
                await FlushAsync(batch, forwarded, summary, context.CancellationToken).ConfigureAwait(false);
                revoked.Clear();
            }
        }

        await FlushAsync(batch, forwarded, summary, context.CancellationToken).ConfigureAwait(false);
        return summary;
    }

    public override async Task<RevokeConsentResponse> RevokeConsent(RevokeConsentRequest request, ServerCallContext context)
    {
        validator.ValidateRevoke(request).ThrowIfInvalid();
        if (await store.FindConsentCreditCodeAsync(request.ConsentId, context.CancellationToken).ConfigureAwait(false) is { } known
            && !string.Equals(known, request.EnterpriseCreditCode, StringComparison.Ordinal))
        {
            // The other code is not echoed: the caller named the wrong enterprise and need not learn the right one from us.
            throw RichStatus.InvalidArgument(
                "enterprise_credit_code is not the enterprise this consent was given by.",
                ("enterprise_credit_code", "differs from the enterprise the bank knows this consent for"));
        }

        if (backend is not null)
        {
            await backend.RevokeConsentAsync(request, context.CancellationToken).ConfigureAwait(false);
        }

        var result = await store.RevokeConsentAsync(request.ConsentId, request.EnterpriseCreditCode, request.RevokedAt.ToDateTimeOffset(), context.CancellationToken).ConfigureAwait(false);
        return new RevokeConsentResponse { AlreadyRevoked = result.AlreadyRevoked, ProfileDeleted = result.ProfilesDeleted > 0 };
    }

    private async Task FlushAsync(List<StoredProfile> batch, List<CreditProfile>? forwarded, StreamCreditProfilesResponse summary, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (forwarded is not null)
        {
            // The bank applies only newer versions itself, so a stale profile in the batch does no harm there.
            await backend!.PushProfilesAsync(forwarded.ToArray(), cancellationToken).ConfigureAwait(false);
            forwarded.Clear();
        }

        var results = await store.UpsertProfilesAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            if (result.Outcome == ProfileUpsertOutcome.Applied)
            {
                summary.AppliedCount++;
            }
            else
            {
                summary.StaleCount++;
            }
        }

        batch.Clear();
    }

    private async Task ThrowIfRevokedAsync(string consentId, CancellationToken cancellationToken)
    {
        if (await store.IsConsentRevokedAsync(consentId, cancellationToken).ConfigureAwait(false))
        {
            throw RichStatus.Create(
                StatusCode.FailedPrecondition,
                "The consent was revoked; the enterprise must grant a new one.",
                new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = "CONSENT", Subject = consentId, Description = "revoked" } } });
        }
    }

    private static void Reject(StreamCreditProfilesResponse summary, ConnectorKitServerOptions settings, long index, string? creditCode, string field, string reason)
    {
        summary.RejectedCount++;
        if (summary.Rejections.Count < settings.MaxReportedRejections)
        {
            summary.Rejections.Add(new ProfileRejection { Index = index, CreditCode = creditCode ?? string.Empty, Field = field, Reason = reason });
        }
    }

    private static (string Field, string Reason) FirstFault(ValidationResult result)
    {
        if (result.Violations.Count > 0)
        {
            return (result.Violations[0].Field, result.Violations[0].Description);
        }

        var failure = result.PreconditionFailures[0];
        return ("profile.consent", failure.Description);
    }

    private StoredProfile ToStored(CreditProfile profile) => new(
        profile.Enterprise.CreditCode,
        profile.Source,
        profile.Version,
        profile.Consent.ConsentId,
        profile.Consent.ExpiresAt.ToDateTimeOffset(),
        profile.ToByteArray(),
        timeProvider.GetUtcNow());

    private static ProfileOutcome ToOutcome(ProfileUpsertOutcome outcome)
        => outcome == ProfileUpsertOutcome.Applied ? ProfileOutcome.Applied : ProfileOutcome.Stale;
}
