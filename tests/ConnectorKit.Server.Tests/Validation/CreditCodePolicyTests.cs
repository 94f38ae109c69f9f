using ConnectorKit.Server.Validation;
using Microsoft.Extensions.Logging;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class CreditCodePolicyTests
{
    [Fact]
    public void ValidateProfile_PilotCodeUnderAcceptWithWarning_AcceptedAndWarnedMasked()
    {
        var validator = Validator(out var logger, CreditCodePolicy.AcceptWithWarning);
        var profile = Profile();
        profile.Enterprise.CreditCode = PilotCode;
        profile.Consent.EnterpriseCreditCode = PilotCode;

        var result = validator.ValidateProfile(profile);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(2, logger.Entries.Count);
        Assert.All(logger.Entries, entry =>
        {
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Contains("91************GQXM", entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(PilotCode, entry.Message, StringComparison.Ordinal);
        });
        Assert.Contains("profile.enterprise.credit_code", logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("profile.consent.enterprise_credit_code", logger.Entries[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSubmit_PilotCodesUnderAcceptWithWarning_OneWarningPerField()
    {
        var validator = Validator(out var logger, CreditCodePolicy.AcceptWithWarning);
        var request = ParkGuaranteeSubmit();
        request.EnterpriseCreditCode = PilotCode;
        request.Consent.EnterpriseCreditCode = PilotCode;
        request.Guarantee.GuarantorCreditCode = OtherPilotCode;

        var result = validator.ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(3, logger.Entries.Count);
        Assert.Contains("91************UF46", logger.Entries[2].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherPilotCode, logger.Entries[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_PilotCodeUnderReject_ViolationAndNoWarning()
    {
        var validator = Validator(out var logger, CreditCodePolicy.Reject);
        var profile = Profile();
        profile.Enterprise.CreditCode = PilotCode;
        profile.Consent.EnterpriseCreditCode = PilotCode;

        var result = validator.ValidateProfile(profile);

        Assert.Equal(["profile.enterprise.credit_code", "profile.consent.enterprise_credit_code"], Fields(result));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void ValidateProfile_ValidCode_NoWarning()
    {
        var validator = Validator(out var logger, CreditCodePolicy.AcceptWithWarning);

        var result = validator.ValidateProfile(Profile());

        Assert.True(result.IsValid, result.Message);
        Assert.Empty(logger.Entries);
    }

    [Theory]
    [InlineData("91350100M0001TGQX")]
    [InlineData("91350100m0001TGQXM")]
    [InlineData("91350100M0001TGQXI")]
    public void ValidateQuote_MalformedCodeUnderAcceptWithWarning_StillRejected(string code)
    {
        var validator = Validator(out var logger, CreditCodePolicy.AcceptWithWarning);
        var request = Quote();
        request.EnterpriseCreditCode = code;

        var result = validator.ValidateQuote(request);

        Assert.Equal(["enterprise_credit_code"], Fields(result));
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void ValidateRevoke_PilotCodeUnderAcceptWithWarning_Accepted()
    {
        var validator = Validator(out var logger, CreditCodePolicy.AcceptWithWarning);
        var request = Revoke();
        request.EnterpriseCreditCode = OtherPilotCode;

        var result = validator.ValidateRevoke(request);

        Assert.True(result.IsValid, result.Message);
        Assert.Single(logger.Entries);
    }
}
