using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>The rules of loan_applications.proto and of the shared Guarantee, InterestSubsidy and Contact messages.</summary>
internal static class ApplicationRules
{
    private const int MaxPurposeLength = 500;

    public static void CheckSubmit(ValidationScope scope, SubmitApplicationRequest request)
    {
        scope.CheckIdentifier("request_id", request.RequestId, Identifiers.IdPunctuation);
        var enterpriseUsable = scope.CheckCreditCode("enterprise_credit_code", request.EnterpriseCreditCode);
        ConsentRules.Check(
            scope,
            "consent",
            request.Consent,
            ConsentScope.LoanApplication,
            "SubmitApplication",
            enterpriseUsable ? request.EnterpriseCreditCode : null);
        var productKnown = scope.CheckRequiredEnum("product", request.Product);
        CheckAmountAndTerm(scope, "requested_amount", request.RequestedAmount, "term_months", request.TermMonths, request.Product, productKnown);
        scope.CheckText("purpose", request.Purpose, 1, MaxPurposeLength);

        if (request.Guarantee is not null)
        {
            CheckGuarantee(scope, "guarantee", request.Guarantee, request.Product);
        }
        else if (ProductLimits.RequiresGuarantee(request.Product))
        {
            scope.AddViolation(
                "guarantee",
                $"is required for PRODUCT_TYPE_PARK_GUARANTEE_LOAN, with fee_rate_bp = {ProductLimits.ParkGuaranteeFeeBp}");
        }

        if (request.Subsidy is not null)
        {
            CheckSubsidy(scope, "subsidy", request.Subsidy);
        }

        if (request.Contact is null)
        {
            scope.AddViolation("contact", "is required: who the bank contacts about the application");
        }
        else
        {
            CheckContact(scope, "contact", request.Contact);
        }
    }

    public static void CheckQuote(ValidationScope scope, QuoteFinancingRequest request)
    {
        scope.CheckCreditCode("enterprise_credit_code", request.EnterpriseCreditCode);
        var productKnown = scope.CheckRequiredEnum("product", request.Product);
        CheckAmountAndTerm(scope, "requested_amount", request.RequestedAmount, "term_months", request.TermMonths, request.Product, productKnown);
        scope.CheckMoney("annual_revenue", request.AnnualRevenue, allowZero: true);
    }

    public static void CheckRevoke(ValidationScope scope, RevokeConsentRequest request)
    {
        scope.CheckIdentifier("consent_id", request.ConsentId, Identifiers.IdPunctuation);
        scope.CheckCreditCode("enterprise_credit_code", request.EnterpriseCreditCode);
        scope.CheckTimestampNotInFuture("revoked_at", request.RevokedAt, out _);
    }

    public static void CheckApplicationId(ValidationScope scope, string applicationId)
        => scope.CheckIdentifier("application_id", applicationId, Identifiers.IdPunctuation);

    public static void CheckWithdrawReason(ValidationScope scope, string reason)
        => scope.CheckText("reason", reason, 0, MaxPurposeLength);

    private static void CheckAmountAndTerm(
        ValidationScope scope, string amountField, Money? amount, string termField, int termMonths, ProductType product, bool productKnown)
    {
        if (scope.CheckMoney(amountField, amount, allowZero: false) && productKnown && ProductLimits.MaxAmountMinor(product) is { } max && amount!.UnitsMinor > max)
        {
            scope.AddViolation(
                Paths.Field(amountField, "units_minor"),
                $"must be at most {max} fen ({CnyMoney.Format(max)}) for {ProtoEnum<ProductType>.Name(product)}; got {amount.UnitsMinor} ({CnyMoney.Format(amount.UnitsMinor)})");
        }

        var maxTerm = productKnown ? ProductLimits.MaxTermFor(product) : ProductLimits.MaxTermMonths;
        var forProduct = maxTerm == ProductLimits.MaxTermMonths ? string.Empty : $" for {ProtoEnum<ProductType>.Name(product)}";
        if (termMonths < 1 || termMonths > maxTerm)
        {
            scope.AddViolation(termField, $"must be 1 to {maxTerm} months{forProduct}; got {termMonths}");
        }
    }

    private static void CheckGuarantee(ValidationScope scope, string field, Guarantee guarantee, ProductType product)
    {
        scope.CheckText(Paths.Field(field, "guarantor_name"), guarantee.GuarantorName, 1, 200);
        scope.CheckCreditCode(Paths.Field(field, "guarantor_credit_code"), guarantee.GuarantorCreditCode);

        var feeField = Paths.Field(field, "fee_rate_bp");
        if (!BasisPoints.IsInRange(guarantee.FeeRateBp, 0, BasisPoints.MaxGuaranteeFee))
        {
            scope.AddViolation(feeField, $"must be 0 to {BasisPoints.MaxGuaranteeFee} bp per year; got {guarantee.FeeRateBp}");
        }
        else if (ProductLimits.RequiresGuarantee(product) && guarantee.FeeRateBp != ProductLimits.ParkGuaranteeFeeBp)
        {
            scope.AddViolation(
                feeField,
                $"must be exactly {ProductLimits.ParkGuaranteeFeeBp} bp per year (0.1 %) for PRODUCT_TYPE_PARK_GUARANTEE_LOAN; got {guarantee.FeeRateBp}");
        }
    }

    private static void CheckSubsidy(ValidationScope scope, string field, InterestSubsidy subsidy)
    {
        var rateField = Paths.Field(field, "rate_bp");
        var rateInRange = scope.CheckRange(rateField, subsidy.RateBp, 1, BasisPoints.MaxSubsidy, " bp per year");
        var revenueUsable = scope.CheckMoney(Paths.Field(field, "annual_revenue"), subsidy.AnnualRevenue, allowZero: true);
        if (rateInRange && revenueUsable)
        {
            var revenue = subsidy.AnnualRevenue!.UnitsMinor;
            var cap = BasisPoints.SubsidyCapFor(revenue);
            if (subsidy.RateBp > cap)
            {
                var band = cap == BasisPoints.MidRevenueSubsidyCap
                    ? $"from {CnyMoney.Format(BasisPoints.LowRevenueLimitMinor)} up to and including {CnyMoney.Format(BasisPoints.MidRevenueLimitMinor)}"
                    : $"above {CnyMoney.Format(BasisPoints.MidRevenueLimitMinor)}";
                scope.AddViolation(
                    rateField,
                    cap == 0
                        ? $"must not be requested: there is no subsidy for an annual revenue {band} (annual_revenue is {CnyMoney.Format(revenue)}); got {subsidy.RateBp} bp"
                        : $"must be at most {cap} bp per year for an annual revenue {band} (annual_revenue is {CnyMoney.Format(revenue)}); got {subsidy.RateBp}");
            }
        }

        if (subsidy.ProgramCode.Length > 0)
        {
            scope.CheckIdentifier(Paths.Field(field, "program_code"), subsidy.ProgramCode, Identifiers.CodePunctuation);
        }
    }

    private static void CheckContact(ValidationScope scope, string field, Contact contact)
    {
        // Personal data: descriptions state lengths and rules, never the value.
        scope.CheckText(Paths.Field(field, "name"), contact.Name, 1, 50);

        var phoneField = Paths.Field(field, "phone");
        const string rule = "must be a mainland mobile number of 11 digits starting with 1 (e.g. 13812345678) or E.164 with a leading \"+\" "
            + "(e.g. +8613812345678), without spaces or dashes";
        if (contact.Phone.Length == 0)
        {
            scope.AddViolation(phoneField, $"is required; {rule}");
        }
        else if (!IsPhone(contact.Phone))
        {
            scope.AddViolation(phoneField, $"{rule}; got {contact.Phone.Length} characters (value not shown: personal data)");
        }
    }

    private static bool IsPhone(string phone)
    {
        if (phone[0] == '+')
        {
            // E.164: a country code that does not start with 0, at most 15 digits in all.
            return phone.Length is >= 3 and <= 16 && phone[1] != '0' && AllDigits(phone.AsSpan(1));
        }

        return phone.Length == 11 && phone[0] == '1' && AllDigits(phone);
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
