using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Validation;
using Google.Rpc;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class RequestValidatorConsentTests
{
    private static readonly Dictionary<string, (Action<Consent> Break, string Field)> MalformedConsents = new()
    {
        ["consent_id empty"] = (c => c.ConsentId = "", "consent.consent_id"),
        ["consent_id of 65 characters"] = (c => c.ConsentId = new string('c', 65), "consent.consent_id"),
        ["consent_id with a slash"] = (c => c.ConsentId = "c/1", "consent.consent_id"),
        ["enterprise code empty"] = (c => c.EnterpriseCreditCode = "", "consent.enterprise_credit_code"),
        ["enterprise code malformed"] = (c => c.EnterpriseCreditCode = "9131011066600721", "consent.enterprise_credit_code"),
        ["no scopes"] = (c => c.Scopes.Clear(), "consent.scopes"),
        ["scope unspecified"] = (c => c.Scopes.Add(ConsentScope.Unspecified), "consent.scopes[1]"),
        ["scope undefined"] = (c => c.Scopes.Add((ConsentScope)9), "consent.scopes[1]"),
        ["scope repeated"] = (c => c.Scopes.Add(ConsentScope.LoanApplication), "consent.scopes[1]"),
        ["grantee empty"] = (c => c.GranteeBankId = "", "consent.grantee_bank_id"),
        ["grantee with a colon"] = (c => c.GranteeBankId = "bank:a", "consent.grantee_bank_id"),
        ["purpose empty"] = (c => c.Purpose = "", "consent.purpose"),
        ["purpose of 501 characters"] = (c => c.Purpose = new string('用', 501), "consent.purpose"),
        ["granted_at unset"] = (c => c.GrantedAt = null, "consent.granted_at"),
        ["granted_at with nanos out of range"] = (c => c.GrantedAt.Nanos = 1_000_000_000, "consent.granted_at"),
        ["expires_at unset"] = (c => c.ExpiresAt = null, "consent.expires_at"),
        ["expires_at equal to granted_at"] = (c => c.ExpiresAt = c.GrantedAt.Clone(), "consent.expires_at"),
        ["expires_at before granted_at"] = (c => c.ExpiresAt = At(Now.AddDays(-31)), "consent.expires_at"),
    };

    public static TheoryData<string> MalformedCases => [.. MalformedConsents.Keys];

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void ValidateSubmit_MalformedConsent_InvalidArgumentOnlyForThatField(string caseName)
    {
        var (breakIt, field) = MalformedConsents[caseName];
        var request = Submit();
        breakIt(request.Consent);

        var result = Validator().ValidateSubmit(request);

        Assert.Equal([field], Fields(result));
        Assert.Empty(result.PreconditionFailures);
    }

    [Fact]
    public void ValidateSubmit_ConsentUnset_FailedPreconditionNamingTheField()
    {
        var request = Submit();
        request.Consent = null;

        var result = Validator().ValidateSubmit(request);

        Assert.Empty(result.Violations);
        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal(("CONSENT", "consent"), (failure.Type, failure.Subject));
        Assert.Contains("CONSENT_SCOPE_LOAN_APPLICATION", failure.Description, StringComparison.Ordinal);
        Assert.Equal(StatusCode.FailedPrecondition, result.ToException().StatusCode);
    }

    [Fact]
    public void ValidateProfile_ConsentUnset_FailedPrecondition()
    {
        var profile = Profile();
        profile.Consent = null;

        var result = Validator().ValidateProfile(profile);

        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal(("CONSENT", "profile.consent"), (failure.Type, failure.Subject));
    }

    [Fact]
    public void ValidateSubmit_ConsentExpiresNow_Expired()
    {
        var request = Submit();
        request.Consent.ExpiresAt = At(Now);

        var result = Validator().ValidateSubmit(request);

        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal(("CONSENT", ConsentId), (failure.Type, failure.Subject));
        Assert.Contains("expired at 2025-06-01T08:00:00Z", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSubmit_ConsentExpiresOneTickAfterNow_Valid()
    {
        var request = Submit();
        request.Consent.ExpiresAt = At(Now.AddTicks(10));

        var result = Validator().ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateSubmit_ClockPassesExpiry_ValidThenExpired()
    {
        var clock = new FakeTimeProvider(Now);
        var validator = Validator(out _, clock: clock);
        var request = Submit();
        request.Consent.ExpiresAt = At(Now.AddHours(1));

        var before = validator.ValidateSubmit(request);
        clock.Advance(TimeSpan.FromHours(1));
        var after = validator.ValidateSubmit(request);

        Assert.True(before.IsValid, before.Message);
        Assert.Equal(ConsentId, Assert.Single(after.PreconditionFailures).Subject);
    }

    [Fact]
    public void ValidateSubmit_GrantedWithinClockSkew_Valid()
    {
        var request = Submit();
        request.Consent.GrantedAt = At(Now.AddMinutes(5));

        var result = Validator().ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateSubmit_GrantedBeyondClockSkew_NotYetValid()
    {
        var request = Submit();
        request.Consent.GrantedAt = At(Now.AddMinutes(5).AddSeconds(1));

        var result = Validator().ValidateSubmit(request);

        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Contains("not yet valid", failure.Description, StringComparison.Ordinal);
        Assert.Contains("5 minutes", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSubmit_ConfiguredClockSkew_Honoured()
    {
        var validator = Validator(out _, clockSkew: TimeSpan.FromMinutes(10));
        var request = Submit();
        request.Consent.GrantedAt = At(Now.AddMinutes(9));

        var result = validator.ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateSubmit_ConsentForAnotherBank_FailedPrecondition()
    {
        var request = Submit();
        request.Consent.GranteeBankId = "bank-b";

        var result = Validator().ValidateSubmit(request);

        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal("Consent consent-2025:0001 was granted to bank 'bank-b', not to this bank 'bank-a'.", failure.Description);
    }

    [Fact]
    public void ValidateSubmit_GranteeDiffersOnlyInCase_FailedPrecondition()
    {
        var request = Submit();
        request.Consent.GranteeBankId = "Bank-A";

        var result = Validator().ValidateSubmit(request);

        Assert.Single(result.PreconditionFailures);
    }

    [Fact]
    public void ValidateSubmit_ConsentOfAnotherEnterprise_FailedPreconditionWithMaskedCodes()
    {
        var request = Submit();
        request.Consent.EnterpriseCreditCode = OtherEnterpriseCode;

        var result = Validator().ValidateSubmit(request);

        Assert.Empty(result.Violations);
        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Contains("91************136T", failure.Description, StringComparison.Ordinal);
        Assert.Contains("91************217T", failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherEnterpriseCode, failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(EnterpriseCode, failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_ConsentOfAnotherEnterprise_FailedPrecondition()
    {
        var profile = Profile();
        profile.Enterprise.CreditCode = OtherEnterpriseCode;

        var result = Validator().ValidateProfile(profile);

        Assert.Empty(result.Violations);
        Assert.Equal(ConsentId, Assert.Single(result.PreconditionFailures).Subject);
    }

    [Fact]
    public void ValidateSubmit_ConsentWithoutLoanScope_FailedPrecondition()
    {
        var request = Submit();
        request.Consent.Scopes.Clear();
        request.Consent.Scopes.Add(ConsentScope.CreditProfile);

        var result = Validator().ValidateSubmit(request);

        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal("Consent consent-2025:0001 does not include scope CONSENT_SCOPE_LOAN_APPLICATION, which SubmitApplication needs.", failure.Description);
    }

    [Fact]
    public void ValidateSubmit_ConsentWithBothScopes_Valid()
    {
        var request = Submit();
        request.Consent.Scopes.Add(ConsentScope.CreditProfile);

        var result = Validator().ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateSubmit_SeveralConsentFaults_EveryOneInThePreconditionFailure()
    {
        var request = Submit();
        request.Consent.GranteeBankId = "bank-b";
        request.Consent.EnterpriseCreditCode = OtherEnterpriseCode;
        request.Consent.Scopes[0] = ConsentScope.CreditProfile;
        request.Consent.ExpiresAt = At(Now.AddDays(-1));

        var exception = Validator().ValidateSubmit(request).ToException();

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        var detail = exception.GetDetail<PreconditionFailure>();
        Assert.NotNull(detail);
        Assert.Equal(4, detail.Violations.Count);
        Assert.All(detail.Violations, v => Assert.Equal(("CONSENT", ConsentId), (v.Type, v.Subject)));
        Assert.Null(exception.GetDetail<BadRequest>());
    }

    [Fact]
    public void ValidateSubmit_MalformedAndExpiredConsent_OnlyInvalidArgument()
    {
        var request = Submit();
        request.Consent.Purpose = "";
        request.Consent.ExpiresAt = At(Now.AddDays(-1));

        var result = Validator().ValidateSubmit(request);

        Assert.Equal(["consent.purpose"], Fields(result));
        Assert.Empty(result.PreconditionFailures);
    }

    [Fact]
    public void ValidateSubmit_BadFieldAndConsentForAnotherBank_InvalidArgumentWins()
    {
        var request = Submit();
        request.TermMonths = 0;
        request.Consent.GranteeBankId = "bank-b";

        var exception = Validator().ValidateSubmit(request).ToException();

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal("term_months", Assert.Single(exception.GetDetail<BadRequest>()!.FieldViolations).Field);
    }
}
