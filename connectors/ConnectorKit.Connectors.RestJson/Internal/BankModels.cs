using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>The bank's JSON, as openapi.yaml describes it: snake_case names, amounts as yuan strings.</summary>
internal static class BankJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed record BankMoney(string Value, string Currency);

internal sealed record BankDimension(string Group, string Code, string Value, string Level);

internal sealed record BankConsent(string ConsentId, DateTimeOffset? ExpiresAt);

internal sealed record BankProfile(
    string CreditCode,
    string Name,
    string DivisionCode,
    string IndustryCode,
    string Size,
    BankMoney? AnnualRevenue,
    long Version,
    string Source,
    string Grade,
    int Score,
    int InnovationPoints,
    IReadOnlyList<BankDimension> Dimensions,
    BankConsent Consent,
    DateTimeOffset? AsOf);

internal sealed record BankConsentRevocation(string ConsentId, string CreditCode, DateTimeOffset? RevokedAt);

internal sealed record BankQuoteRequest(string CreditCode, string Product, BankMoney Amount, int TermMonths, BankMoney AnnualRevenue, string? Grade, int? Score);

internal sealed record BankQuote(
    string? QuoteId,
    BankMoney IndicativeLimit,
    int AnnualRateBp,
    int GuaranteeFeeBp,
    int SubsidyCapBp,
    IReadOnlyList<string>? Explanations,
    DateTimeOffset ValidUntil);

internal sealed record BankGuarantee(string GuarantorName, string GuarantorCreditCode, int FeeRateBp);

internal sealed record BankContact(string Name, string Phone);

internal sealed record BankApplicationRequest(
    string ExternalId,
    string PlatformId,
    string CreditCode,
    string Product,
    BankMoney Amount,
    int TermMonths,
    string Purpose,
    string ConsentId,
    BankGuarantee? Guarantee,
    BankContact? Contact);

internal sealed record BankCancellation(string Reason);

/// <summary>The bank's decision, in the application resource and in <c>application.decided</c>.</summary>
internal sealed record BankDecision(
    string Outcome,
    string? DecisionId,
    BankMoney? ApprovedAmount,
    int? AnnualRateBp,
    int? TermMonths,
    IReadOnlyList<string>? Conditions,
    IReadOnlyList<string>? ReasonCodes,
    IReadOnlyList<string>? RequestedItems,
    string? Message);

internal sealed record BankTranche(
    string TrancheId,
    string Status,
    BankMoney Amount,
    string? AccountNumber,
    string? FailureReason,
    DateTimeOffset? PaidAt);

internal sealed record BankApplication(
    string ExternalId,
    string? ApplicationId,
    string Status,
    BankDecision? Decision,
    IReadOnlyList<BankTranche>? Tranches);

internal sealed record BankEvent(string Type, DateTimeOffset? Timestamp, BankEventData? Data);

internal sealed record BankEventData(string ExternalId, BankDecision? Decision, BankTranche? Tranche);
