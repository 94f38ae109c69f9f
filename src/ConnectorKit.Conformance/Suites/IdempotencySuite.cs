using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>A submit is idempotent on its request id; a profile version that is not newer is stale.</summary>
[SuiteCategory(ConformanceCategory.Idempotency)]
public class IdempotencySuite : ContractSuite
{
    [ConformanceCase("CK-IDEM-001", "a retried submit with the same request id returns the first answer", Rule = "connectorkit.v1.SubmitApplicationRequest.request_id")]
    public virtual async Task RetryReturnsFirstAnswer()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);

        var first = await SubmitAsync(request).ConfigureAwait(false);
        var retry = await SubmitAsync(request).ConfigureAwait(false);

        Require(first.ApplicationId == retry.ApplicationId, $"The retry created application {retry.ApplicationId}; the first answer was {first.ApplicationId}.");
    }

    [ConformanceCase("CK-IDEM-002", "a retried submit reaches the bank once", Rule = "connectorkit.v1.SubmitApplicationRequest.request_id", NeedsBankJournal = true)]
    public virtual async Task RetryReachesBankOnce()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);

        var first = await SubmitAsync(request).ConfigureAwait(false);
        await SubmitAsync(request).ConfigureAwait(false);
        await SubmitAsync(request).ConfigureAwait(false);

        var submissions = await Target.Journal!.CountSubmissionsAsync(first.ApplicationId, CancellationToken).ConfigureAwait(false);
        Require(submissions == 1, $"The bank saw {submissions} submissions of {first.ApplicationId} for three identical submits; it must see one.");
    }

    [ConformanceCase("CK-IDEM-003", "the same request id with a different payload is ALREADY_EXISTS", Rule = "connectorkit.v1.SubmitApplicationRequest.request_id")]
    public virtual async Task ReusedIdOtherPayload()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);
        await SubmitAsync(request).ConfigureAwait(false);
        var changed = request.Clone();
        changed.RequestedAmount.UnitsMinor += 100;

        var error = await ExpectStatusAsync(StatusCode.AlreadyExists, "the same request_id for a different amount", () => SubmitAsync(changed)).ConfigureAwait(false);

        var info = error.GetDetail<ErrorInfo>();
        if (info?.Reason != "REQUEST_ID_REUSED")
        {
            Warn($"ALREADY_EXISTS carried ErrorInfo reason '{info?.Reason}'; REQUEST_ID_REUSED lets the platform tell this from other conflicts.");
        }
    }

    [ConformanceCase("CK-IDEM-004", "concurrent duplicate submits create one application", Rule = "connectorkit.v1.SubmitApplicationRequest.request_id")]
    public virtual async Task ConcurrentDuplicates()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                return (await SubmitAsync(request).ConfigureAwait(false)).ApplicationId;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Aborted or StatusCode.Unavailable)
            {
                // A duplicate still in flight may be told to retry; it must then get the same application.
                await Task.Delay(200, CancellationToken).ConfigureAwait(false);
                return (await SubmitAsync(request).ConfigureAwait(false)).ApplicationId;
            }
        })).ConfigureAwait(false);

        var distinct = answers.Distinct().ToList();
        Require(distinct.Count == 1, $"Eight concurrent identical submits created {distinct.Count} applications: {string.Join(", ", distinct)}.");
        if (Target.Journal is not null)
        {
            var submissions = await Target.Journal.CountSubmissionsAsync(distinct[0], CancellationToken).ConfigureAwait(false);
            Require(submissions == 1, $"The bank saw {submissions} submissions of {distinct[0]} for eight concurrent duplicates; it must see one.");
        }
    }

    [ConformanceCase("CK-IDEM-005", "a profile version not newer than the stored one is reported stale, not applied", Rule = "connectorkit.v1.CreditProfile.version")]
    public virtual async Task StaleProfile()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code, version: 5)).ConfigureAwait(false);

        var same = await PushAsync(ProfileFor(code, version: 5)).ConfigureAwait(false);
        var older = await PushAsync(ProfileFor(code, version: 4)).ConfigureAwait(false);

        Require(same.Outcome == ProfileOutcome.Stale && same.StoredVersion == 5, $"Pushing version 5 again came back {same.Outcome} with stored version {same.StoredVersion}; expected STALE, 5.");
        Require(older.Outcome == ProfileOutcome.Stale && older.StoredVersion == 5, $"Pushing version 4 after 5 came back {older.Outcome} with stored version {older.StoredVersion}; expected STALE, 5.");
    }
}
