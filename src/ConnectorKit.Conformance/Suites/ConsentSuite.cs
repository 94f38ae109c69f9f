using ConnectorKit.Connectors;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>No valid consent, no credit data: missing, foreign, expired and revoked consents are refused.</summary>
[SuiteCategory(ConformanceCategory.Consent)]
public class ConsentSuite : ContractSuite
{
    [ConformanceCase("CK-CONS-001", "a profile without consent is FAILED_PRECONDITION", Rule = "connectorkit.v1.CreditProfile.consent")]
    public virtual async Task MissingConsent()
    {
        var profile = ProfileFor(NewCreditCode());
        profile.Consent = null;

        var error = await ExpectStatusAsync(StatusCode.FailedPrecondition, "PushCreditProfile without consent", () => PushAsync(profile)).ConfigureAwait(false);

        RequireConsentFailure(error, "no consent");
    }

    [ConformanceCase("CK-CONS-002", "a consent granted to another bank is FAILED_PRECONDITION", Rule = "connectorkit.v1.Consent.grantee_bank_id")]
    public virtual async Task ConsentForAnotherBank()
    {
        var profile = ProfileFor(NewCreditCode());
        profile.Consent.GranteeBankId = Target.BankId + "-other";

        var error = await ExpectStatusAsync(StatusCode.FailedPrecondition, "PushCreditProfile with a consent for another bank", () => PushAsync(profile)).ConfigureAwait(false);

        RequireConsentFailure(error, "consent for another bank");
    }

    [ConformanceCase("CK-CONS-003", "an expired consent is FAILED_PRECONDITION, for profiles and applications", Rule = "connectorkit.v1.Consent.expires_at")]
    public virtual async Task ExpiredConsent()
    {
        var code = NewCreditCode();
        var profile = ProfileFor(code);
        profile.Consent.GrantedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-400));
        profile.Consent.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1));
        var submit = SubmitFor(code);
        submit.Consent.GrantedAt = profile.Consent.GrantedAt;
        submit.Consent.ExpiresAt = profile.Consent.ExpiresAt;

        await ExpectStatusAsync(StatusCode.FailedPrecondition, "PushCreditProfile with an expired consent", () => PushAsync(profile)).ConfigureAwait(false);
        await ExpectStatusAsync(StatusCode.FailedPrecondition, "SubmitApplication with an expired consent", () => SubmitAsync(submit)).ConfigureAwait(false);
    }

    [ConformanceCase("CK-CONS-004", "after RevokeConsent, the same consent is refused", Rule = "connectorkit.v1.CreditDataService.RevokeConsent", Requires = ConnectorCapabilities.RevokeConsent)]
    public virtual async Task RevokedConsentRefused()
    {
        var code = NewCreditCode();
        var profile = ProfileFor(code);
        await PushAsync(profile).ConfigureAwait(false);

        var revoked = await CreditData.RevokeConsentAsync(
            new RevokeConsentRequest { ConsentId = profile.Consent.ConsentId, EnterpriseCreditCode = code, RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) },
            deadline: Deadline,
            cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);
        var newer = profile.Clone();
        newer.Version = 2;

        Require(revoked.ProfileDeleted, "RevokeConsent did not report the profile deleted, though a profile under that consent was stored.");
        await ExpectStatusAsync(StatusCode.FailedPrecondition, "PushCreditProfile under a revoked consent", () => PushAsync(newer)).ConfigureAwait(false);
    }

    private static void RequireConsentFailure(RpcException error, string what)
    {
        var failure = error.GetDetail<PreconditionFailure>();
        Require(failure is not null && failure.Violations.Any(v => v.Type == "CONSENT"), $"{what}: FAILED_PRECONDITION should carry a google.rpc.PreconditionFailure of type CONSENT so the platform can ask the enterprise again; it carried none (\"{error.Status.Detail}\").");
    }
}
