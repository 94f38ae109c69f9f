using System.Text.Json;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>Contract messages to the bank's JSON and back. Enum values travel as snake_case names without their prefix.</summary>
internal static class BankMapping
{
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static BankProfile ToBank(CreditProfile profile) => new(
        profile.Enterprise.CreditCode,
        profile.Enterprise.Name,
        profile.Enterprise.DivisionCode,
        profile.Enterprise.IndustryCode,
        Name(profile.Enterprise.Size),
        profile.Enterprise.AnnualRevenue is { } revenue ? YuanAmount.ToBank(revenue) : null,
        profile.Version,
        profile.Source,
        Name(profile.Grade),
        profile.Score,
        profile.InnovationPoints?.TotalPoints ?? 0,
        [.. profile.Dimensions.Select(d => new BankDimension(Name(d.Group), d.Code, d.Value, Name(d.Level)))],
        new BankConsent(profile.Consent.ConsentId, profile.Consent.ExpiresAt?.ToDateTimeOffset()),
        profile.AsOf?.ToDateTimeOffset());

    public static BankApplicationRequest ToBank(BankSubmission submission)
    {
        var request = submission.Request;
        return new BankApplicationRequest(
            submission.ApplicationId,
            submission.PlatformId,
            request.EnterpriseCreditCode,
            Name(request.Product),
            YuanAmount.ToBank(request.RequestedAmount),
            request.TermMonths,
            request.Purpose,
            request.Consent.ConsentId,
            request.Guarantee is { } g ? new BankGuarantee(g.GuarantorName, g.GuarantorCreditCode, g.FeeRateBp) : null,
            request.Contact is { } c ? new BankContact(c.Name, c.Phone) : null);
    }

    public static BankQuoteRequest ToBank(QuoteContext context) => new(
        context.Request.EnterpriseCreditCode,
        Name(context.Request.Product),
        YuanAmount.ToBank(context.Request.RequestedAmount),
        context.Request.TermMonths,
        YuanAmount.ToBank(context.Request.AnnualRevenue),
        context.Profile is { } p ? Name(p.Grade) : null,
        context.Profile?.Score);

    public static QuoteFinancingResponse FromBank(BankQuote quote)
    {
        var response = new QuoteFinancingResponse
        {
            IndicativeLimit = YuanAmount.FromBank(quote.IndicativeLimit),
            AnnualRateBp = quote.AnnualRateBp,
            GuaranteeFeeBp = quote.GuaranteeFeeBp,
            SubsidyCapBp = quote.SubsidyCapBp,
            ValidUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(quote.ValidUntil),
        };
        response.Explanations.AddRange((quote.Explanations ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Take(20));
        return response;
    }

    public static ApprovedTerms Terms(BankDecision decision)
    {
        var terms = new ApprovedTerms
        {
            Amount = YuanAmount.FromBank(decision.ApprovedAmount),
            AnnualRateBp = decision.AnnualRateBp ?? throw new FormatException("An approval needs annual_rate_bp."),
            TermMonths = decision.TermMonths ?? throw new FormatException("An approval needs term_months."),
        };
        terms.Conditions.AddRange(decision.Conditions ?? []);
        return terms;
    }
}
