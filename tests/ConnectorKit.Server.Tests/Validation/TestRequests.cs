using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Server.Tests.Validation;

/// <summary>Valid requests for one bank at one instant; each test breaks exactly what it is about.</summary>
internal static class TestRequests
{
    public const string BankId = "bank-a";
    public const string EnterpriseCode = "91310110666007217T";
    public const string GuarantorCode = "91310115591693856A";
    public const string OtherEnterpriseCode = "91440300708461136T";
    public const string PilotCode = "91350100M0001TGQXM";
    public const string OtherPilotCode = "91350211M0000XUF46";
    public const string ConsentId = "consent-2025:0001";

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    public static RequestValidator Validator(
        out ListLogger<RequestValidator> logger,
        CreditCodePolicy policy = CreditCodePolicy.Reject,
        TimeProvider? clock = null,
        TimeSpan? clockSkew = null)
    {
        var options = new ConnectorKitServerOptions { BankId = BankId, CreditCodePolicy = policy };
        if (clockSkew is { } skew)
        {
            options.ConsentClockSkew = skew;
        }

        logger = new ListLogger<RequestValidator>();
        return new RequestValidator(options, clock ?? new FakeTimeProvider(Now), logger);
    }

    public static RequestValidator Validator(CreditCodePolicy policy = CreditCodePolicy.Reject) => Validator(out _, policy);

    public static Timestamp At(DateTimeOffset instant) => Timestamp.FromDateTimeOffset(instant);

    public static Money Cny(long fen) => new() { UnitsMinor = fen, CurrencyCode = "CNY" };

    public static Consent Consent(ConsentScope scope) => new()
    {
        ConsentId = ConsentId,
        EnterpriseCreditCode = EnterpriseCode,
        Scopes = { scope },
        GranteeBankId = BankId,
        Purpose = "Credit assessment for working-capital loans",
        GrantedAt = At(Now.AddDays(-30)),
        ExpiresAt = At(Now.AddDays(335)),
    };

    public static CreditProfile Profile() => new()
    {
        Enterprise = new Enterprise
        {
            CreditCode = EnterpriseCode,
            Name = "上海示例科技有限公司",
            DivisionCode = "310115",
            IndustryCode = "C3911",
            Size = EnterpriseSize.Small,
            AnnualRevenue = Cny(1_500_000_000),
        },
        Consent = Consent(ConsentScope.CreditProfile),
        Version = 7,
        Grade = CreditGrade.Good,
        Score = 720,
        Dimensions =
        {
            Dimension(DimensionGroup.Basic, "registration", "active"),
            Dimension(DimensionGroup.TrustKeeping, "tax", "A"),
            Dimension(DimensionGroup.TrustBreaking, "court_judgement", "0"),
        },
        InnovationPoints = new InnovationPoints
        {
            TotalPoints = 85,
            Indicators =
            {
                new InnovationIndicator { Code = "N01", Name = "Invention patents granted", Points = 30, National = true },
                new InnovationIndicator { Code = "local.sh-07", Name = "Municipal innovation award", Points = 10 },
            },
        },
        Source = "sh-credit-platform",
        AsOf = At(Now.AddHours(-1)),
    };

    public static CreditDimension Dimension(DimensionGroup group, string code, string value) => new()
    {
        Group = group,
        Code = code,
        Value = value,
        Level = DimensionLevel.Positive,
        Description = "From the public record",
        ObservedAt = At(Now.AddDays(-2)),
    };

    public static SubmitApplicationRequest Submit() => new()
    {
        RequestId = "3f6c1e2a-8d9b-4c1f-9a57-0b1e2d3c4f5a",
        EnterpriseCreditCode = EnterpriseCode,
        Consent = Consent(ConsentScope.LoanApplication),
        Product = ProductType.CreditLoan,
        RequestedAmount = Cny(50_000_000),
        TermMonths = 12,
        Purpose = "Purchase of raw materials",
        Contact = new Contact { Name = "张三", Phone = "13812345678" },
    };

    public static SubmitApplicationRequest ParkGuaranteeSubmit()
    {
        var request = Submit();
        request.Product = ProductType.ParkGuaranteeLoan;
        request.RequestedAmount = Cny(ProductLimits.ParkGuaranteeLoanMaxAmountMinor);
        request.TermMonths = 36;
        request.Guarantee = new Guarantee { GuarantorName = "Park Financing Guarantee Co.", GuarantorCreditCode = GuarantorCode, FeeRateBp = 10 };
        return request;
    }

    public static QuoteFinancingRequest Quote() => new()
    {
        EnterpriseCreditCode = EnterpriseCode,
        Product = ProductType.InnovationPointsLoan,
        RequestedAmount = Cny(20_000_000),
        TermMonths = 24,
        AnnualRevenue = Cny(1_500_000_000),
    };

    public static RevokeConsentRequest Revoke() => new()
    {
        ConsentId = ConsentId,
        EnterpriseCreditCode = EnterpriseCode,
        RevokedAt = At(Now.AddMinutes(-1)),
    };

    public static IReadOnlyList<string> Fields(ValidationResult result) => [.. result.Violations.Select(v => v.Field)];
}
