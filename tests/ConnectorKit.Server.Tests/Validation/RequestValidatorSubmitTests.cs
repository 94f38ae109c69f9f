using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class RequestValidatorSubmitTests
{
    private static readonly Dictionary<string, (Func<SubmitApplicationRequest> Build, string Field)> InvalidRequests = new()
    {
        ["request_id empty"] = (() => With(Submit(), r => r.RequestId = ""), "request_id"),
        ["request_id of 65 characters"] = (() => With(Submit(), r => r.RequestId = new string('a', 65)), "request_id"),
        ["request_id with a slash"] = (() => With(Submit(), r => r.RequestId = "req/1"), "request_id"),
        ["request_id with a space"] = (() => With(Submit(), r => r.RequestId = "req 1"), "request_id"),
        ["enterprise code empty"] = (() => With(Submit(), r => r.EnterpriseCreditCode = ""), "enterprise_credit_code"),
        ["enterprise code with a wrong check character"] = (() => With(Submit(), r => r.EnterpriseCreditCode = "91310110666007217X"), "enterprise_credit_code"),
        ["product unspecified"] = (() => With(Submit(), r => r.Product = ProductType.Unspecified), "product"),
        ["product undefined"] = (() => With(Submit(), r => r.Product = (ProductType)42), "product"),
        ["amount unset"] = (() => With(Submit(), r => r.RequestedAmount = null), "requested_amount"),
        ["amount zero"] = (() => With(Submit(), r => r.RequestedAmount = Cny(0)), "requested_amount.units_minor"),
        ["amount negative"] = (() => With(Submit(), r => r.RequestedAmount = Cny(-100)), "requested_amount.units_minor"),
        ["amount in EUR"] = (() => With(Submit(), r => r.RequestedAmount.CurrencyCode = "EUR"), "requested_amount.currency_code"),
        ["amount with currency in lower case"] = (() => With(Submit(), r => r.RequestedAmount.CurrencyCode = "cny"), "requested_amount.currency_code"),
        ["park loan above 10 million CNY"] = (() => With(ParkGuaranteeSubmit(), r => r.RequestedAmount = Cny(1_000_000_001)), "requested_amount.units_minor"),
        ["term 0"] = (() => With(Submit(), r => r.TermMonths = 0), "term_months"),
        ["term 121"] = (() => With(Submit(), r => r.TermMonths = 121), "term_months"),
        ["term negative"] = (() => With(Submit(), r => r.TermMonths = -12), "term_months"),
        ["park loan term 37"] = (() => With(ParkGuaranteeSubmit(), r => r.TermMonths = 37), "term_months"),
        ["purpose empty"] = (() => With(Submit(), r => r.Purpose = ""), "purpose"),
        ["purpose of 501 characters"] = (() => With(Submit(), r => r.Purpose = new string('购', 501)), "purpose"),
        ["park loan without guarantee"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee = null), "guarantee"),
        ["park loan guarantee fee 20 bp"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee.FeeRateBp = 20), "guarantee.fee_rate_bp"),
        ["park loan guarantee fee 0 bp"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee.FeeRateBp = 0), "guarantee.fee_rate_bp"),
        ["guarantee fee 1001 bp"] = (() => With(Submit(), r => r.Guarantee = Guarantee(1001)), "guarantee.fee_rate_bp"),
        ["guarantee fee negative"] = (() => With(Submit(), r => r.Guarantee = Guarantee(-1)), "guarantee.fee_rate_bp"),
        ["guarantor name empty"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee.GuarantorName = ""), "guarantee.guarantor_name"),
        ["guarantor code empty"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee.GuarantorCreditCode = ""), "guarantee.guarantor_credit_code"),
        ["guarantor code with a wrong check character"] = (() => With(ParkGuaranteeSubmit(), r => r.Guarantee.GuarantorCreditCode = OtherPilotCode), "guarantee.guarantor_credit_code"),
        ["subsidy rate 0"] = (() => With(Submit(), r => r.Subsidy = Subsidy(0, 100_000_000)), "subsidy.rate_bp"),
        ["subsidy rate 301"] = (() => With(Submit(), r => r.Subsidy = Subsidy(301, 100_000_000)), "subsidy.rate_bp"),
        ["subsidy 201 bp at 20 million CNY"] = (() => With(Submit(), r => r.Subsidy = Subsidy(201, 2_000_000_000)), "subsidy.rate_bp"),
        ["subsidy 201 bp at 200 million CNY"] = (() => With(Submit(), r => r.Subsidy = Subsidy(201, 20_000_000_000)), "subsidy.rate_bp"),
        ["subsidy 1 bp above 200 million CNY"] = (() => With(Submit(), r => r.Subsidy = Subsidy(1, 20_000_000_001)), "subsidy.rate_bp"),
        ["subsidy revenue unset"] = (() => With(Submit(), r => r.Subsidy = new InterestSubsidy { RateBp = 100 }), "subsidy.annual_revenue"),
        ["subsidy revenue negative"] = (() => With(Submit(), r => r.Subsidy = Subsidy(100, -1)), "subsidy.annual_revenue.units_minor"),
        ["subsidy programme with a space"] = (() => With(Submit(), r => r.Subsidy = With(Subsidy(100, 0), s => s.ProgramCode = "sh 2025")), "subsidy.program_code"),
        ["contact unset"] = (() => With(Submit(), r => r.Contact = null), "contact"),
        ["contact name empty"] = (() => With(Submit(), r => r.Contact.Name = ""), "contact.name"),
        ["contact name of 51 characters"] = (() => With(Submit(), r => r.Contact.Name = new string('张', 51)), "contact.name"),
        ["phone empty"] = (() => With(Submit(), r => r.Contact.Phone = ""), "contact.phone"),
        ["phone of 10 digits"] = (() => With(Submit(), r => r.Contact.Phone = "1381234567"), "contact.phone"),
        ["phone of 12 digits"] = (() => With(Submit(), r => r.Contact.Phone = "138123456789"), "contact.phone"),
        ["phone not starting with 1"] = (() => With(Submit(), r => r.Contact.Phone = "23812345678"), "contact.phone"),
        ["phone with dashes"] = (() => With(Submit(), r => r.Contact.Phone = "138-1234-5678"), "contact.phone"),
        ["phone with a space"] = (() => With(Submit(), r => r.Contact.Phone = "+86 13812345678"), "contact.phone"),
        ["phone E.164 of 16 digits"] = (() => With(Submit(), r => r.Contact.Phone = "+8613812345678901"), "contact.phone"),
        ["phone E.164 with country code 0"] = (() => With(Submit(), r => r.Contact.Phone = "+08613812345678"), "contact.phone"),
        ["phone plus only"] = (() => With(Submit(), r => r.Contact.Phone = "+"), "contact.phone"),
    };

    private static readonly Dictionary<string, Func<SubmitApplicationRequest>> ValidRequests = new()
    {
        ["credit loan"] = Submit,
        ["park loan at 10 million CNY and 36 months"] = ParkGuaranteeSubmit,
        ["park loan of 1 fen and 1 month"] = () => With(ParkGuaranteeSubmit(), r => { r.RequestedAmount = Cny(1); r.TermMonths = 1; }),
        ["credit loan above 10 million CNY and 120 months"] = () => With(Submit(), r => { r.RequestedAmount = Cny(5_000_000_000); r.TermMonths = 120; }),
        ["request_id with every allowed punctuation"] = () => With(Submit(), r => r.RequestId = "A.z_0:9-" + new string('x', 56)),
        ["purpose of 500 characters"] = () => With(Submit(), r => r.Purpose = new string('购', 500)),
        ["credit loan with a guarantee of 1000 bp"] = () => With(Submit(), r => r.Guarantee = Guarantee(1000)),
        ["credit loan with a guarantee of 0 bp"] = () => With(Submit(), r => r.Guarantee = Guarantee(0)),
        ["subsidy 300 bp just below 20 million CNY"] = () => With(Submit(), r => r.Subsidy = Subsidy(300, 1_999_999_999)),
        ["subsidy 300 bp at zero revenue"] = () => With(Submit(), r => r.Subsidy = Subsidy(300, 0)),
        ["subsidy 200 bp at 20 million CNY"] = () => With(Submit(), r => r.Subsidy = Subsidy(200, 2_000_000_000)),
        ["subsidy 200 bp at 200 million CNY"] = () => With(Submit(), r => r.Subsidy = Subsidy(200, 20_000_000_000)),
        ["subsidy with a programme code"] = () => With(Submit(), r => r.Subsidy = With(Subsidy(1, 0), s => s.ProgramCode = "sh.tech-2025_a")),
        ["phone E.164"] = () => With(Submit(), r => r.Contact.Phone = "+8613812345678"),
        ["phone E.164 of 15 digits"] = () => With(Submit(), r => r.Contact.Phone = "+861381234567890"),
        ["contact name of 50 characters"] = () => With(Submit(), r => r.Contact.Name = new string('张', 50)),
    };

    public static TheoryData<string> InvalidCases => [.. InvalidRequests.Keys];

    public static TheoryData<string> ValidCases => [.. ValidRequests.Keys];

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void ValidateSubmit_ValidRequest_IsValid(string caseName)
    {
        var request = ValidRequests[caseName]();

        var result = Validator().ValidateSubmit(request);

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void ValidateSubmit_OneBadField_ThatFieldIsTheOnlyViolation(string caseName)
    {
        var (build, field) = InvalidRequests[caseName];

        var result = Validator().ValidateSubmit(build());

        Assert.Equal([field], Fields(result));
        Assert.Empty(result.PreconditionFailures);
    }

    [Theory]
    [InlineData("1990249753")]
    [InlineData("+86 199-0240-9753")]
    [InlineData("199024097531")]
    public void ValidateSubmit_BadPhone_DescriptionAndMessageDoNotEchoIt(string phone)
    {
        var request = Submit();
        request.Contact.Phone = phone;

        var result = Validator().ValidateSubmit(request);

        var description = Assert.Single(result.Violations).Description;
        Assert.DoesNotContain(phone, description, StringComparison.Ordinal);
        Assert.DoesNotContain("9753", description, StringComparison.Ordinal);
        Assert.DoesNotContain(phone, result.ToException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateSubmit_ContactNameTooLong_DescriptionDoesNotEchoIt()
    {
        var request = Submit();
        request.Contact.Name = "欧阳" + new string('娜', 49);

        var result = Validator().ValidateSubmit(request);

        var description = Assert.Single(result.Violations).Description;
        Assert.DoesNotContain("欧阳", description, StringComparison.Ordinal);
        Assert.Equal("must be 1 to 50 Unicode characters; got 51", description);
    }

    [Fact]
    public void ValidateSubmit_SubsidyAboveCap_DescriptionNamesCapAndBand()
    {
        var request = Submit();
        request.Subsidy = Subsidy(250, 5_000_000_000);

        var result = Validator().ValidateSubmit(request);

        Assert.Equal(
            "must be at most 200 bp per year for an annual revenue from 20,000,000 CNY up to and including 200,000,000 CNY "
            + "(annual_revenue is 50,000,000 CNY); got 250",
            Assert.Single(result.Violations).Description);
    }

    [Fact]
    public void ValidateSubmit_ParkLoanAmountAboveLimit_DescriptionNamesLimitInFenAndYuan()
    {
        var request = ParkGuaranteeSubmit();
        request.RequestedAmount = Cny(1_200_000_000);

        var result = Validator().ValidateSubmit(request);

        Assert.Equal(
            "must be at most 1000000000 fen (10,000,000 CNY) for PRODUCT_TYPE_PARK_GUARANTEE_LOAN; got 1200000000 (12,000,000 CNY)",
            Assert.Single(result.Violations).Description);
    }

    [Fact]
    public void ValidateSubmit_ManyFaults_OneExceptionListsEvery()
    {
        var request = ParkGuaranteeSubmit();
        request.RequestId = "";
        request.RequestedAmount = Cny(2_000_000_000);
        request.TermMonths = 48;
        request.Guarantee.FeeRateBp = 100;
        request.Contact.Phone = "12345";

        var result = Validator().ValidateSubmit(request);

        Assert.Equal(
            ["request_id", "requested_amount.units_minor", "term_months", "guarantee.fee_rate_bp", "contact.phone"],
            Fields(result));
    }

    [Fact]
    public void ValidateSubmit_UndefinedProduct_NoProductLimitApplied()
    {
        var request = Submit();
        request.Product = (ProductType)42;
        request.TermMonths = 100;

        var result = Validator().ValidateSubmit(request);

        Assert.Equal(["product"], Fields(result));
    }

    [Fact]
    public void ValidateSubmit_Null_Throws()
    {
        var validator = Validator();

        Assert.Throws<ArgumentNullException>(() => validator.ValidateSubmit(null!));
    }

    private static Guarantee Guarantee(int feeBp)
        => new() { GuarantorName = "Example Guarantee Co.", GuarantorCreditCode = GuarantorCode, FeeRateBp = feeBp };

    private static InterestSubsidy Subsidy(int rateBp, long revenueFen) => new() { RateBp = rateBp, AnnualRevenue = Cny(revenueFen) };

    private static T With<T>(T message, Action<T> change)
    {
        change(message);
        return message;
    }
}
