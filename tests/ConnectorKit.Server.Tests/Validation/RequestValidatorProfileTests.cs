using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class RequestValidatorProfileTests
{
    private static readonly Dictionary<string, (Action<CreditProfile> Break, string Field)> InvalidProfiles = new()
    {
        ["enterprise unset"] = (p => p.Enterprise = null, "profile.enterprise"),
        ["credit code empty"] = (p => p.Enterprise.CreditCode = "", "profile.enterprise.credit_code"),
        ["credit code of 17 characters"] = (p => p.Enterprise.CreditCode = "91310110666007217", "profile.enterprise.credit_code"),
        ["credit code in lower case"] = (p => p.Enterprise.CreditCode = "91310110666007217t", "profile.enterprise.credit_code"),
        ["credit code with an O"] = (p => p.Enterprise.CreditCode = "9131011O666007217T", "profile.enterprise.credit_code"),
        ["credit code with a wrong check character"] = (p => p.Enterprise.CreditCode = "91310110666007217A", "profile.enterprise.credit_code"),
        ["name empty"] = (p => p.Enterprise.Name = "", "profile.enterprise.name"),
        ["name of 201 characters"] = (p => p.Enterprise.Name = new string('企', 201), "profile.enterprise.name"),
        ["division code empty"] = (p => p.Enterprise.DivisionCode = "", "profile.enterprise.division_code"),
        ["division code of 5 digits"] = (p => p.Enterprise.DivisionCode = "31011", "profile.enterprise.division_code"),
        ["division code with a letter"] = (p => p.Enterprise.DivisionCode = "31011A", "profile.enterprise.division_code"),
        ["industry code empty"] = (p => p.Enterprise.IndustryCode = "", "profile.enterprise.industry_code"),
        ["industry code with 1 digit"] = (p => p.Enterprise.IndustryCode = "C3", "profile.enterprise.industry_code"),
        ["industry code section U"] = (p => p.Enterprise.IndustryCode = "U39", "profile.enterprise.industry_code"),
        ["industry code in lower case"] = (p => p.Enterprise.IndustryCode = "c391", "profile.enterprise.industry_code"),
        ["size unspecified"] = (p => p.Enterprise.Size = EnterpriseSize.Unspecified, "profile.enterprise.size"),
        ["size undefined"] = (p => p.Enterprise.Size = (EnterpriseSize)9, "profile.enterprise.size"),
        ["annual revenue negative"] = (p => p.Enterprise.AnnualRevenue = Cny(-1), "profile.enterprise.annual_revenue.units_minor"),
        ["annual revenue in USD"] = (p => p.Enterprise.AnnualRevenue.CurrencyCode = "USD", "profile.enterprise.annual_revenue.currency_code"),
        ["annual revenue without currency"] = (p => p.Enterprise.AnnualRevenue.CurrencyCode = "", "profile.enterprise.annual_revenue.currency_code"),
        ["version 0"] = (p => p.Version = 0, "profile.version"),
        ["version negative"] = (p => p.Version = -3, "profile.version"),
        ["grade unspecified"] = (p => p.Grade = CreditGrade.Unspecified, "profile.grade"),
        ["score negative"] = (p => p.Score = -1, "profile.score"),
        ["score 1001"] = (p => p.Score = 1001, "profile.score"),
        ["dimension group unspecified"] = (p => p.Dimensions[1].Group = DimensionGroup.Unspecified, "profile.dimensions[1].group"),
        ["dimension code empty"] = (p => p.Dimensions[1].Code = "", "profile.dimensions[1].code"),
        ["dimension code upper case"] = (p => p.Dimensions[1].Code = "Tax", "profile.dimensions[1].code"),
        ["dimension code starting with a digit"] = (p => p.Dimensions[1].Code = "1tax", "profile.dimensions[1].code"),
        ["dimension code with a dash"] = (p => p.Dimensions[1].Code = "social-insurance", "profile.dimensions[1].code"),
        ["dimension code of 65 characters"] = (p => p.Dimensions[1].Code = new string('a', 65), "profile.dimensions[1].code"),
        ["dimension code repeated"] = (p => p.Dimensions[2].Code = "registration", "profile.dimensions[2].code"),
        ["dimension value empty"] = (p => p.Dimensions[0].Value = "", "profile.dimensions[0].value"),
        ["dimension value of 201 characters"] = (p => p.Dimensions[0].Value = new string('9', 201), "profile.dimensions[0].value"),
        ["dimension level undefined"] = (p => p.Dimensions[0].Level = (DimensionLevel)7, "profile.dimensions[0].level"),
        ["dimension description of 1001 characters"] = (p => p.Dimensions[0].Description = new string('x', 1001), "profile.dimensions[0].description"),
        ["dimension observed_at unset"] = (p => p.Dimensions[2].ObservedAt = null, "profile.dimensions[2].observed_at"),
        ["dimension observed after as_of"] = (p => p.Dimensions[2].ObservedAt = At(Now.AddMinutes(-59)), "profile.dimensions[2].observed_at"),
        ["201 dimensions"] = (p => AddDimensions(p, 201 - p.Dimensions.Count), "profile.dimensions"),
        ["innovation total negative"] = (p => p.InnovationPoints.TotalPoints = -1, "profile.innovation_points.total_points"),
        ["indicator code empty"] = (p => p.InnovationPoints.Indicators[0].Code = "", "profile.innovation_points.indicators[0].code"),
        ["indicator code with a space"] = (p => p.InnovationPoints.Indicators[0].Code = "N 01", "profile.innovation_points.indicators[0].code"),
        ["indicator code with a colon"] = (p => p.InnovationPoints.Indicators[0].Code = "N:01", "profile.innovation_points.indicators[0].code"),
        ["indicator code repeated"] = (p => p.InnovationPoints.Indicators[1].Code = "N01", "profile.innovation_points.indicators[1].code"),
        ["indicator name empty"] = (p => p.InnovationPoints.Indicators[1].Name = "", "profile.innovation_points.indicators[1].name"),
        ["indicator points negative"] = (p => p.InnovationPoints.Indicators[1].Points = -2, "profile.innovation_points.indicators[1].points"),
        ["101 indicators"] = (p => AddIndicators(p, 101 - p.InnovationPoints.Indicators.Count), "profile.innovation_points.indicators"),
        ["source empty"] = (p => p.Source = "", "profile.source"),
        ["source with a slash"] = (p => p.Source = "sh/platform", "profile.source"),
        ["source of 65 characters"] = (p => p.Source = new string('s', 65), "profile.source"),
        ["as_of unset"] = (p => p.AsOf = null, "profile.as_of"),
        ["as_of beyond the clock skew"] = (p => p.AsOf = At(Now.AddMinutes(5).AddSeconds(1)), "profile.as_of"),
        ["as_of with invalid nanos"] = (p => p.AsOf.Nanos = -1, "profile.as_of"),
    };

    private static readonly Dictionary<string, Action<CreditProfile>> ValidProfiles = new()
    {
        ["as built"] = _ => { },
        ["score 0"] = p => p.Score = 0,
        ["score 1000"] = p => p.Score = 1000,
        ["version at its maximum"] = p => p.Version = long.MaxValue,
        ["name of 200 characters"] = p => p.Enterprise.Name = new string('企', 200),
        ["name of 200 characters outside the BMP"] = p => p.Enterprise.Name = string.Concat(Enumerable.Repeat("𠀀", 200)),
        ["division code 000000, format only"] = p => p.Enterprise.DivisionCode = "000000",
        ["industry section only"] = p => p.Enterprise.IndustryCode = "C",
        ["industry division"] = p => p.Enterprise.IndustryCode = "C39",
        ["industry group"] = p => p.Enterprise.IndustryCode = "C391",
        ["annual revenue unset"] = p => p.Enterprise.AnnualRevenue = null,
        ["annual revenue zero"] = p => p.Enterprise.AnnualRevenue = Cny(0),
        ["no dimensions"] = p => p.Dimensions.Clear(),
        ["200 dimensions"] = p => AddDimensions(p, 200 - p.Dimensions.Count),
        ["unknown dimension code"] = p => p.Dimensions[0].Code = "rooftop_solar_2",
        ["dimension code of 64 characters"] = p => p.Dimensions[0].Code = new string('a', 64),
        ["dimension level unspecified"] = p => p.Dimensions[0].Level = DimensionLevel.Unspecified,
        ["dimension description empty"] = p => p.Dimensions[0].Description = "",
        ["dimension observed at as_of"] = p => p.Dimensions[0].ObservedAt = p.AsOf.Clone(),
        ["innovation points unset"] = p => p.InnovationPoints = null,
        ["innovation total above the indicator sum"] = p => p.InnovationPoints.TotalPoints = 500,
        ["no indicators"] = p => p.InnovationPoints.Indicators.Clear(),
        ["100 indicators"] = p => AddIndicators(p, 100 - p.InnovationPoints.Indicators.Count),
        ["source with dot, dash and underscore"] = p => p.Source = "gov.sh_credit-01",
        ["as_of at the clock skew"] = p => p.AsOf = At(Now.AddMinutes(5)),
    };

    public static TheoryData<string> InvalidCases => [.. InvalidProfiles.Keys];

    public static TheoryData<string> ValidCases => [.. ValidProfiles.Keys];

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void ValidateProfile_ValidProfile_IsValid(string caseName)
    {
        var profile = Profile();
        ValidProfiles[caseName](profile);

        var result = Validator().ValidateProfile(profile);

        Assert.True(result.IsValid, string.Join("; ", result.Violations.Select(v => $"{v.Field} {v.Description}")));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void ValidateProfile_OneBadField_ThatFieldIsTheOnlyViolation(string caseName)
    {
        var (breakIt, field) = InvalidProfiles[caseName];
        var profile = Profile();
        breakIt(profile);

        var result = Validator().ValidateProfile(profile);

        Assert.Equal([field], Fields(result));
        Assert.Empty(result.PreconditionFailures);
        Assert.False(string.IsNullOrWhiteSpace(result.Violations[0].Description));
    }

    [Fact]
    public void ValidateProfile_Null_ViolationAtThePrefix()
    {
        var result = Validator().ValidateProfile(null);

        Assert.Equal(["profile"], Fields(result));
    }

    [Fact]
    public void ValidateProfile_FieldPrefix_PrefixesEveryPath()
    {
        var profile = Profile();
        profile.Score = 2000;
        profile.Dimensions[0].Code = "";

        var withPrefix = Validator().ValidateProfile(profile, "items[3].profile");
        var withoutPrefix = Validator().ValidateProfile(profile, "");

        Assert.Equal(["items[3].profile.score", "items[3].profile.dimensions[0].code"], Fields(withPrefix));
        Assert.Equal(["score", "dimensions[0].code"], Fields(withoutPrefix));
    }

    [Fact]
    public void ValidateProfile_CreditCodeOfWrongLength_DescriptionNamesRuleAndLength()
    {
        var profile = Profile();
        profile.Enterprise.CreditCode = "91310110666007217";

        var result = Validator().ValidateProfile(profile);

        Assert.Equal("must be 18 characters from 0-9 and A-Z without I, O, S, V, Z; got 17", result.Violations[0].Description);
    }

    [Fact]
    public void ValidateProfile_CheckCharacterFails_DescriptionDoesNotEchoTheCode()
    {
        var profile = Profile();
        profile.Enterprise.CreditCode = PilotCode;
        profile.Consent.EnterpriseCreditCode = PilotCode;

        var result = Validator().ValidateProfile(profile);

        Assert.Equal(["profile.enterprise.credit_code", "profile.consent.enterprise_credit_code"], Fields(result));
        Assert.All(result.Violations, v => Assert.DoesNotContain(PilotCode, v.Description, StringComparison.Ordinal));
        Assert.Contains("GB 32100-2015", result.Violations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_ManyFaults_ReportsEveryOne()
    {
        var profile = Profile();
        profile.Enterprise.DivisionCode = "3101";
        profile.Score = 1200;
        profile.Dimensions[2].Code = "Court Judgement";
        profile.Source = "";

        var result = Validator().ValidateProfile(profile);

        Assert.Equal(
            ["profile.enterprise.division_code", "profile.score", "profile.dimensions[2].code", "profile.source"],
            Fields(result));
    }

    [Fact]
    public void ValidateProfile_RepeatedDimensionCode_DescriptionPointsToTheFirst()
    {
        var profile = Profile();
        profile.Dimensions[2].Code = "tax";

        var result = Validator().ValidateProfile(profile);

        Assert.Contains("profile.dimensions[1]", result.Violations[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_RepeatedCodesInLongLists_DescriptionsPointToTheFirst()
    {
        var profile = Profile();
        AddDimensions(profile, 30);
        AddIndicators(profile, 30);
        var dimensionCount = profile.Dimensions.Count;
        var indicatorCount = profile.InnovationPoints.Indicators.Count;
        AddDimensions(profile, 1);
        profile.Dimensions[dimensionCount].Code = "extra_20";
        AddIndicators(profile, 1);
        profile.InnovationPoints.Indicators[indicatorCount].Code = "X20";

        var result = Validator().ValidateProfile(profile);

        Assert.Equal([$"profile.dimensions[{dimensionCount}].code", $"profile.innovation_points.indicators[{indicatorCount}].code"], Fields(result));
        Assert.Contains($"already at profile.dimensions[{dimensionCount - 10}]", result.Violations[0].Description, StringComparison.Ordinal);
        Assert.Contains($"already at profile.innovation_points.indicators[{indicatorCount - 10}]", result.Violations[1].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_RepeatedIndicatorCode_DescriptionPointsToTheFirst()
    {
        var profile = Profile();
        AddIndicators(profile, 2);
        profile.InnovationPoints.Indicators[^1].Code = profile.InnovationPoints.Indicators[0].Code;

        var result = Validator().ValidateProfile(profile);

        var violation = Assert.Single(result.Violations);
        Assert.Equal($"profile.innovation_points.indicators[{profile.InnovationPoints.Indicators.Count - 1}].code", violation.Field);
        Assert.Contains("already at profile.innovation_points.indicators[0];", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateProfile_DeepFieldsWithoutPrefix_PathsStartAtTheProfile()
    {
        var profile = Profile();
        profile.Enterprise.AnnualRevenue = Cny(-1);
        profile.Consent.Scopes.Add(ConsentScope.CreditProfile);
        profile.InnovationPoints.Indicators[0].Points = -1;

        var result = Validator().ValidateProfile(profile, "");

        Assert.Equal(
            ["enterprise.annual_revenue.units_minor", $"consent.scopes[{profile.Consent.Scopes.Count - 1}]", "innovation_points.indicators[0].points"],
            Fields(result));
    }

    [Fact]
    public void ValidateProfile_ConsentWithoutCreditProfileScope_FailedPrecondition()
    {
        var profile = Profile();
        profile.Consent.Scopes.Clear();
        profile.Consent.Scopes.Add(ConsentScope.LoanApplication);

        var result = Validator().ValidateProfile(profile);

        Assert.Empty(result.Violations);
        var failure = Assert.Single(result.PreconditionFailures);
        Assert.Equal(("CONSENT", ConsentId), (failure.Type, failure.Subject));
        Assert.Contains("CONSENT_SCOPE_CREDIT_PROFILE", failure.Description, StringComparison.Ordinal);
    }

    private static void AddDimensions(CreditProfile profile, int count)
    {
        for (var i = 0; i < count; i++)
        {
            profile.Dimensions.Add(Dimension(DimensionGroup.Other, $"extra_{i}", "1"));
        }
    }

    private static void AddIndicators(CreditProfile profile, int count)
    {
        for (var i = 0; i < count; i++)
        {
            profile.InnovationPoints.Indicators.Add(new InnovationIndicator { Code = $"X{i}", Name = $"Indicator {i}", Points = 1 });
        }
    }
}
