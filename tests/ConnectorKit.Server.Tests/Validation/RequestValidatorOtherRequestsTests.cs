using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class RequestValidatorOtherRequestsTests
{
    private static readonly Dictionary<string, (Action<QuoteFinancingRequest> Break, string Field)> InvalidQuotes = new()
    {
        ["enterprise code empty"] = (r => r.EnterpriseCreditCode = "", "enterprise_credit_code"),
        ["enterprise code with a wrong check character"] = (r => r.EnterpriseCreditCode = PilotCode, "enterprise_credit_code"),
        ["product unspecified"] = (r => r.Product = ProductType.Unspecified, "product"),
        ["amount unset"] = (r => r.RequestedAmount = null, "requested_amount"),
        ["amount zero"] = (r => r.RequestedAmount = Cny(0), "requested_amount.units_minor"),
        ["amount in HKD"] = (r => r.RequestedAmount.CurrencyCode = "HKD", "requested_amount.currency_code"),
        ["park loan above 10 million CNY"] = (r => { r.Product = ProductType.ParkGuaranteeLoan; r.RequestedAmount = Cny(1_000_000_001); }, "requested_amount.units_minor"),
        ["park loan term 37"] = (r => { r.Product = ProductType.ParkGuaranteeLoan; r.TermMonths = 37; }, "term_months"),
        ["term 0"] = (r => r.TermMonths = 0, "term_months"),
        ["term 121"] = (r => r.TermMonths = 121, "term_months"),
        ["annual revenue unset"] = (r => r.AnnualRevenue = null, "annual_revenue"),
        ["annual revenue negative"] = (r => r.AnnualRevenue = Cny(-1), "annual_revenue.units_minor"),
        ["annual revenue without currency"] = (r => r.AnnualRevenue.CurrencyCode = "", "annual_revenue.currency_code"),
    };

    private static readonly Dictionary<string, (Action<RevokeConsentRequest> Break, string Field)> InvalidRevokes = new()
    {
        ["consent_id empty"] = (r => r.ConsentId = "", "consent_id"),
        ["consent_id with a slash"] = (r => r.ConsentId = "c/1", "consent_id"),
        ["enterprise code empty"] = (r => r.EnterpriseCreditCode = "", "enterprise_credit_code"),
        ["enterprise code with a Z"] = (r => r.EnterpriseCreditCode = "9131011066600721ZT", "enterprise_credit_code"),
        ["revoked_at unset"] = (r => r.RevokedAt = null, "revoked_at"),
        ["revoked_at beyond the clock skew"] = (r => r.RevokedAt = At(Now.AddMinutes(6)), "revoked_at"),
    };

    public static TheoryData<string> InvalidQuoteCases => [.. InvalidQuotes.Keys];

    public static TheoryData<string> InvalidRevokeCases => [.. InvalidRevokes.Keys];

    [Fact]
    public void ValidateQuote_ValidRequest_IsValid()
    {
        var result = Validator().ValidateQuote(Quote());

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(30_000_000_000L)]
    public void ValidateQuote_AnyNonNegativeRevenue_IsValid(long revenueFen)
    {
        var request = Quote();
        request.AnnualRevenue = Cny(revenueFen);

        var result = Validator().ValidateQuote(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateQuote_ParkLoanAtItsLimits_IsValid()
    {
        var request = Quote();
        request.Product = ProductType.ParkGuaranteeLoan;
        request.RequestedAmount = Cny(1_000_000_000);
        request.TermMonths = 36;

        var result = Validator().ValidateQuote(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidQuoteCases))]
    public void ValidateQuote_OneBadField_ThatFieldIsTheOnlyViolation(string caseName)
    {
        var (breakIt, field) = InvalidQuotes[caseName];
        var request = Quote();
        breakIt(request);

        var result = Validator().ValidateQuote(request);

        Assert.Equal([field], Fields(result));
    }

    [Fact]
    public void ValidateRevoke_ValidRequest_IsValid()
    {
        var result = Validator().ValidateRevoke(Revoke());

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateRevoke_RevokedAtWithinClockSkew_IsValid()
    {
        var request = Revoke();
        request.RevokedAt = At(Now.AddMinutes(5));

        var result = Validator().ValidateRevoke(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidRevokeCases))]
    public void ValidateRevoke_OneBadField_ThatFieldIsTheOnlyViolation(string caseName)
    {
        var (breakIt, field) = InvalidRevokes[caseName];
        var request = Revoke();
        breakIt(request);

        var result = Validator().ValidateRevoke(request);

        Assert.Equal([field], Fields(result));
    }

    [Theory]
    [InlineData("app-000123")]
    [InlineData("BANKA:2025.06_01-7")]
    public void ValidateGet_WellFormedId_IsValid(string applicationId)
    {
        var result = Validator().ValidateGet(new GetApplicationRequest { ApplicationId = applicationId });

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("app 1")]
    [InlineData("app/1")]
    [InlineData("申请1")]
    public void ValidateGet_MalformedId_Violation(string applicationId)
    {
        var result = Validator().ValidateGet(new GetApplicationRequest { ApplicationId = applicationId });

        Assert.Equal(["application_id"], Fields(result));
    }

    [Fact]
    public void ValidateGet_IdOf65Characters_Violation()
    {
        var result = Validator().ValidateGet(new GetApplicationRequest { ApplicationId = new string('a', 65) });

        Assert.Equal(["application_id"], Fields(result));
        Assert.Contains("got 65 characters", result.Violations[0].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Found a cheaper loan elsewhere")]
    public void ValidateWithdraw_OptionalReason_IsValid(string reason)
    {
        var request = new WithdrawApplicationRequest { ApplicationId = "app-000123", Reason = reason };

        var result = Validator().ValidateWithdraw(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateWithdraw_ReasonOf500Characters_IsValid()
    {
        var request = new WithdrawApplicationRequest { ApplicationId = "app-000123", Reason = new string('因', 500) };

        var result = Validator().ValidateWithdraw(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void ValidateWithdraw_IdMissingAndReasonTooLong_BothReported()
    {
        var request = new WithdrawApplicationRequest { ApplicationId = "", Reason = new string('因', 501) };

        var result = Validator().ValidateWithdraw(request);

        Assert.Equal(["application_id", "reason"], Fields(result));
    }
}
