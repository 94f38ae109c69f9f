using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Examples.PlatformClient;

/// <summary>
/// Realistic enterprises for the demo: valid Unified Social Credit Codes (GB 32100 check character), Shanghai and
/// Shenzhen division codes, GB/T 4754 industry codes, a spread of grades and scores, dimensions in the four groups,
/// innovation points with indicators. Seeded, so a run can be repeated.
/// </summary>
public sealed class EnterpriseGenerator(int seed)
{
    private static readonly string[] Divisions = ["310110", "310115", "310104", "440305", "440304", "320505"];
    private static readonly string[] Industries = ["C3911", "C3914", "I6511", "I6513", "M7320", "C2710", "C3563"];
    private static readonly string[] NameStems = ["星海", "云启", "知行", "鸿图", "芯源", "智汇", "瑞丰", "博远", "天工", "青禾"];
    private static readonly string[] NameKinds = ["科技", "信息技术", "生物医药", "智能装备", "新材料"];
    private static readonly (string Code, string Name, bool National)[] Indicators =
    [
        ("talent.phd", "R&D staff with doctorates", true),
        ("platform.lab", "Recognised research platform", true),
        ("result.patent", "Granted invention patents", true),
        ("contest.award", "Innovation contest awards", false),
        ("credit.rating", "Credit rating bonus", true),
    ];

    private readonly Random _random = new(seed);

    /// <summary>One enterprise with its profile, under a consent granted to <paramref name="bankId"/> for both scopes.</summary>
    public GeneratedEnterprise Next(int index, string bankId, DateTimeOffset now)
    {
        var code = CreditCode(index);
        var grade = PickGrade();
        var score = grade switch
        {
            CreditGrade.Excellent => _random.Next(820, 981),
            CreditGrade.Good => _random.Next(650, 820),
            CreditGrade.Fair => _random.Next(520, 650),
            _ => _random.Next(250, 520),
        };
        var revenueYuan = (long)_random.Next(3_000, 180_000) * 1_000;
        var enterprise = new Enterprise
        {
            CreditCode = code,
            Name = $"{(index % 2 == 0 ? "上海" : "深圳")}{NameStems[_random.Next(NameStems.Length)]}{NameKinds[_random.Next(NameKinds.Length)]}有限公司",
            DivisionCode = Divisions[_random.Next(Divisions.Length)],
            IndustryCode = Industries[_random.Next(Industries.Length)],
            Size = revenueYuan < 20_000_000 ? EnterpriseSize.Small : EnterpriseSize.Medium,
            AnnualRevenue = new Money { UnitsMinor = revenueYuan * 100, CurrencyCode = "CNY" },
        };
        var consent = new Consent
        {
            ConsentId = $"CONSENT-{index:D6}-{_random.Next(100_000, 999_999)}",
            EnterpriseCreditCode = code,
            Scopes = { ConsentScope.CreditProfile, ConsentScope.LoanApplication },
            GranteeBankId = bankId,
            Purpose = "credit assessment and loan application",
            GrantedAt = Timestamp.FromDateTimeOffset(now.AddDays(-2)),
            ExpiresAt = Timestamp.FromDateTimeOffset(now.AddDays(365)),
        };
        var points = _random.Next(0, 100);
        var profile = new CreditProfile
        {
            Enterprise = enterprise,
            Consent = consent,
            Version = 1,
            Grade = grade,
            Score = score,
            Source = "platform-demo",
            AsOf = Timestamp.FromDateTimeOffset(now.AddHours(-2)),
            InnovationPoints = new InnovationPoints { TotalPoints = points },
        };
        AddDimensions(profile, grade, now);
        var remaining = points;
        foreach (var (indicatorCode, name, national) in Indicators)
        {
            var share = remaining == 0 ? 0 : _random.Next(0, remaining + 1);
            remaining -= share;
            profile.InnovationPoints.Indicators.Add(new InnovationIndicator { Code = indicatorCode, Name = name, Points = share, National = national });
        }

        profile.InnovationPoints.Indicators[^1].Points += remaining;
        return new GeneratedEnterprise(profile, PickProduct(), RequestedYuan(grade, revenueYuan), _random.Next(0, 3) switch { 0 => 12, 1 => 24, _ => 36 });
    }

    /// <summary>The submit request for a generated enterprise.</summary>
    public static SubmitApplicationRequest SubmitFor(GeneratedEnterprise enterprise, string requestId)
    {
        var profile = enterprise.Profile;
        var request = new SubmitApplicationRequest
        {
            RequestId = requestId,
            EnterpriseCreditCode = profile.Enterprise.CreditCode,
            Consent = profile.Consent,
            Product = enterprise.Product,
            RequestedAmount = new Money { UnitsMinor = enterprise.RequestedYuan * 100, CurrencyCode = "CNY" },
            TermMonths = enterprise.TermMonths,
            Purpose = "working capital for R&D",
            Contact = new Contact { Name = "王经理", Phone = "13800138000" },
        };
        if (enterprise.Product == ProductType.ParkGuaranteeLoan)
        {
            request.Guarantee = new Guarantee { GuarantorName = "园区融资担保有限公司", GuarantorCreditCode = "91310115591693856A", FeeRateBp = 10 };
        }

        return request;
    }

    /// <summary>A valid credit code: registration 9 (market regulation), category 1 (enterprise), Shanghai area, the index as organisation code.</summary>
    public static string CreditCode(int index)
    {
        var body = "9131011" + index.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return body + UnifiedSocialCreditCode.ComputeCheckCharacter(body);
    }

    private CreditGrade PickGrade() => _random.Next(100) switch
    {
        < 25 => CreditGrade.Excellent,
        < 65 => CreditGrade.Good,
        < 88 => CreditGrade.Fair,
        _ => CreditGrade.Poor,
    };

    private ProductType PickProduct() => _random.Next(4) switch
    {
        0 => ProductType.CreditLoan,
        1 => ProductType.ParkGuaranteeLoan,
        2 => ProductType.InnovationPointsLoan,
        _ => ProductType.IpPledgeLoan,
    };

    private long RequestedYuan(CreditGrade grade, long revenueYuan)
    {
        var wish = (long)_random.Next(5, 90) * 100_000;
        return Math.Clamp(Math.Min(wish, revenueYuan / 2), 100_000, 10_000_000);
    }

    private void AddDimensions(CreditProfile profile, CreditGrade grade, DateTimeOffset now)
    {
        var observed = Timestamp.FromDateTimeOffset(now.AddDays(-_random.Next(5, 60)));
        var bad = grade == CreditGrade.Poor;
        profile.Dimensions.Add(new CreditDimension { Group = DimensionGroup.Basic, Code = "social_insurance", Value = _random.Next(8, 400).ToString(System.Globalization.CultureInfo.InvariantCulture), Level = DimensionLevel.Neutral, Description = "Employees with social insurance", ObservedAt = observed });
        profile.Dimensions.Add(new CreditDimension { Group = DimensionGroup.TrustKeeping, Code = "tax", Value = bad ? "C" : "A", Level = bad ? DimensionLevel.Negative : DimensionLevel.Positive, Description = "Tax credit rating", ObservedAt = observed });
        profile.Dimensions.Add(new CreditDimension { Group = DimensionGroup.TrustKeeping, Code = "power", Value = "on_time", Level = DimensionLevel.Positive, Description = "Electricity bills paid on time", ObservedAt = observed });
        if (bad)
        {
            profile.Dimensions.Add(new CreditDimension { Group = DimensionGroup.TrustBreaking, Code = "court_judgement", Value = "1", Level = DimensionLevel.Negative, Description = "Unsettled court judgement", ObservedAt = observed });
        }

        if (grade == CreditGrade.Excellent)
        {
            profile.Dimensions.Add(new CreditDimension { Group = DimensionGroup.Other, Code = "honour", Value = "high_tech", Level = DimensionLevel.Positive, Description = "High-tech enterprise certificate", ObservedAt = observed });
        }
    }
}

/// <summary>A generated enterprise and what it will apply for.</summary>
public sealed record GeneratedEnterprise(CreditProfile Profile, ProductType Product, long RequestedYuan, int TermMonths);
