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
    private static readonly IReadOnlySet<string> EmptyConsentIds = new HashSet<string>();

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

        // Messages in arrival order, valid or not, so rejections are reported in index order whichever check found them;
        // at most BulkBatchSize of them, so memory stays flat whatever the stream's length.
        var pending = new List<PendingProfile>(settings.BulkBatchSize);

        // The previous batch's commit runs while the next batch is read and validated; at most one is in flight, so batches
        // commit in order, and the summary goes back only after the last one committed (acknowledged means stored).
        Task<IReadOnlyList<ProfileUpsertResult>>? committing = null;
        try
        {
            long index = -1;
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                index++;
                var profile = requestStream.Current.Profile;
                var result = validator.ValidateProfile(profile);
                pending.Add(result.IsValid ? new PendingProfile(index, profile!, null, null) : Invalid(index, profile, result));
                if (pending.Count >= settings.BulkBatchSize)
                {
                    committing = await FlushAsync(pending, committing, summary, settings, context.CancellationToken).ConfigureAwait(false);
                }
            }

            committing = await FlushAsync(pending, committing, summary, settings, context.CancellationToken).ConfigureAwait(false);
            await CountAsync(committing, summary).ConfigureAwait(false);
            committing = null;
            return summary;
        }
        finally
        {
            if (committing is not null)
            {
                // The call already failed (client gone, bad stream, store fault); the commit still in flight is not left
                // running behind it, and its own outcome cannot change the call's.
                try
                {
                    await committing.ConfigureAwait(false);
                }
                catch (Exception)
                {
                }
            }
        }
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

    /// <summary>Rejects what <paramref name="pending"/> may not store, waits for the previous commit, then starts this batch's.</summary>
    private async Task<Task<IReadOnlyList<ProfileUpsertResult>>?> FlushAsync(
        List<PendingProfile> pending,
        Task<IReadOnlyList<ProfileUpsertResult>>? previous,
        StreamCreditProfilesResponse summary,
        ConnectorKitServerOptions settings,
        CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return previous;
        }

        // One look-up for the whole batch instead of one per profile: bulk data has one consent per enterprise, so a
        // per-profile query cost as much as the upsert itself.
        var consentIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in pending)
        {
            if (entry.Field is null)
            {
                consentIds.Add(entry.Profile!.Consent.ConsentId);
            }
        }

        var revoked = consentIds.Count == 0 ? EmptyConsentIds : await store.GetRevokedConsentsAsync(consentIds, cancellationToken).ConfigureAwait(false);
        var batch = new List<StoredProfile>(pending.Count);
        var forwarded = backend is null ? null : new List<CreditProfile>(pending.Count);
        foreach (var entry in pending)
        {
            if (entry.Field is not null)
            {
                Reject(summary, settings, entry.Index, entry.Profile?.Enterprise?.CreditCode, entry.Field, entry.Reason!);
            }
            else if (revoked.Contains(entry.Profile!.Consent.ConsentId))
            {
                Reject(summary, settings, entry.Index, entry.Profile.Enterprise.CreditCode, "profile.consent", "consent was revoked; a new consent is needed");
            }
            else
            {
                batch.Add(ToStored(entry.Profile));
                forwarded?.Add(entry.Profile);
            }
        }

        pending.Clear();
        await CountAsync(previous, summary).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return null;
        }

        if (forwarded is not null)
        {
            // The bank applies only newer versions itself, so a stale profile in the batch does no harm there.
            await backend!.PushProfilesAsync(forwarded, cancellationToken).ConfigureAwait(false);
        }

        // Microsoft.Data.Sqlite's async methods complete synchronously, fsync included; on the pool the commit overlaps
        // with reading the next batch instead of stalling the stream.
        return Task.Run(() => store.UpsertProfilesAsync(batch, cancellationToken), cancellationToken);
    }

    private static async Task CountAsync(Task<IReadOnlyList<ProfileUpsertResult>>? committing, StreamCreditProfilesResponse summary)
    {
        if (committing is null)
        {
            return;
        }

        foreach (var result in await committing.ConfigureAwait(false))
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
    }

    private static PendingProfile Invalid(long index, CreditProfile? profile, ValidationResult result)
    {
        var (field, reason) = FirstFault(result);
        return new PendingProfile(index, profile, field, reason);
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

    /// <summary>A received message awaiting its batch: a valid profile, or the first fault that rejects it (<c>Field</c> set).</summary>
    private readonly record struct PendingProfile(long Index, CreditProfile? Profile, string? Field, string? Reason);
}
