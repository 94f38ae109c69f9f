using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// Realistic contract messages for connector tests and the conformance suite: valid credit codes (GB 32100 check
/// character), consents granted to <see cref="BankId"/>, products within their limits.
/// </summary>
public static class SampleData
{
    /// <summary>The bank id consents are granted to unless another is given.</summary>
    public const string BankId = "bank-test";
    public const string ValidCode = "91310110666007217T";
    public const string OtherValidCode = "91440300708461136T";
    public const string BadCheckCode = "91350100M0001TGQXM";


    /// <summary>A valid credit code made from a number, for bulk data.</summary>
    public static string CreditCode(int n)
    {
        var body = "9131011" + n.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }

    public static Consent Consent(string creditCode, ConsentScope scope, string? consentId = null, DateTimeOffset? now = null, string bankId = BankId)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new Consent
        {
            ConsentId = consentId ?? "CONSENT-" + Guid.NewGuid().ToString("N")[..12],
            EnterpriseCreditCode = creditCode,
            Scopes = { scope },
            GranteeBankId = bankId,
            Purpose = "credit assessment for loan application",
            GrantedAt = Timestamp.FromDateTimeOffset(at.AddDays(-1)),
            ExpiresAt = Timestamp.FromDateTimeOffset(at.AddDays(180)),
        };
    }

    public static CreditProfile Profile(string creditCode, long version, Consent? consent = null, CreditGrade grade = CreditGrade.Good, int score = 720, int innovationPoints = 40) => new()
    {
        Enterprise = new Enterprise
        {
            CreditCode = creditCode,
            Name = "上海测试科技有限公司",
            DivisionCode = "310110",
            IndustryCode = "C3911",
            Size = EnterpriseSize.Small,
            AnnualRevenue = new Money { UnitsMinor = 15_000_000_00, CurrencyCode = "CNY" },
        },
        Consent = consent ?? Consent(creditCode, ConsentScope.CreditProfile),
        Version = version,
        Grade = grade,
        Score = score,
        Dimensions =
        {
            new CreditDimension { Group = DimensionGroup.TrustKeeping, Code = "tax", Value = "A", Level = DimensionLevel.Positive, Description = "Tax credit rating A", ObservedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-30)) },
            new CreditDimension { Group = DimensionGroup.Basic, Code = "social_insurance", Value = "42", Level = DimensionLevel.Neutral, Description = "Insured employees", ObservedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-30)) },
        },
        InnovationPoints = new InnovationPoints
        {
            TotalPoints = innovationPoints,
            Indicators = { new InnovationIndicator { Code = "patents", Name = "Invention patents", Points = innovationPoints, National = true } },
        },
        Source = "platform-sh",
        AsOf = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
    };

    public static SubmitApplicationRequest Submit(string creditCode = ValidCode, string? requestId = null, long amountYuan = 5_000_000, int termMonths = 36, ProductType product = ProductType.ParkGuaranteeLoan) => new()
    {
        RequestId = requestId ?? "REQ-" + Guid.NewGuid().ToString("N"),
        EnterpriseCreditCode = creditCode,
        Consent = Consent(creditCode, ConsentScope.LoanApplication),
        Product = product,
        RequestedAmount = new Money { UnitsMinor = amountYuan * 100, CurrencyCode = "CNY" },
        TermMonths = termMonths,
        Purpose = "working capital",
        Guarantee = product == ProductType.ParkGuaranteeLoan
            ? new Guarantee { GuarantorName = "上海园区融资担保有限公司", GuarantorCreditCode = OtherValidCode, FeeRateBp = 10 }
            : null,
        Contact = new Contact { Name = "张三", Phone = "13812345678" },
    };

    public static Money Yuan(long yuan) => new() { UnitsMinor = yuan * 100, CurrencyCode = "CNY" };
}
