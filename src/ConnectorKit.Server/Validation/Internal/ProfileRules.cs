using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>The rules of credit_data.proto for a CreditProfile and the Enterprise it describes.</summary>
internal static class ProfileRules
{
    private const int MaxDimensions = 200;
    private const int MaxIndicators = 100;

    public static void Check(ValidationScope scope, string prefix, CreditProfile? profile)
    {
        if (profile is null)
        {
            scope.AddViolation(prefix, "is required: the credit profile to upsert");
            return;
        }

        var enterpriseField = Paths.Field(prefix, "enterprise");
        string? enterpriseCode = null;
        if (profile.Enterprise is null)
        {
            scope.AddViolation(enterpriseField, "is required: the enterprise the profile describes");
        }
        else if (CheckEnterprise(scope, enterpriseField, profile.Enterprise))
        {
            enterpriseCode = profile.Enterprise.CreditCode;
        }

        ConsentRules.Check(scope, Paths.Field(prefix, "consent"), profile.Consent, ConsentScope.CreditProfile, "sharing a credit profile", enterpriseCode);
        scope.CheckAtLeast(Paths.Field(prefix, "version"), profile.Version, 1);
        scope.CheckRequiredEnum(Paths.Field(prefix, "grade"), profile.Grade);
        scope.CheckRange(Paths.Field(prefix, "score"), profile.Score, 0, 1000);

        // observed_at of each dimension is compared with as_of, whose own faults are reported in field order below.
        var hasAsOf = ValidationScope.TryGetInstant(profile.AsOf, out var asOf);
        CheckDimensions(scope, prefix, profile.Dimensions, hasAsOf ? asOf : null);
        if (profile.InnovationPoints is not null)
        {
            CheckInnovationPoints(scope, Paths.Field(prefix, "innovation_points"), profile.InnovationPoints);
        }

        scope.CheckIdentifier(Paths.Field(prefix, "source"), profile.Source, Identifiers.CodePunctuation);
        scope.CheckTimestampNotInFuture(Paths.Field(prefix, "as_of"), profile.AsOf, out _);
    }

    /// <summary>True when the credit code is usable for comparing with the consent.</summary>
    private static bool CheckEnterprise(ValidationScope scope, string field, Enterprise enterprise)
    {
        var codeUsable = scope.CheckCreditCode(Paths.Field(field, "credit_code"), enterprise.CreditCode);
        scope.CheckText(Paths.Field(field, "name"), enterprise.Name, 1, 200);

        var division = Paths.Field(field, "division_code");
        if (enterprise.DivisionCode.Length == 0)
        {
            scope.AddViolation(division, "is required: 6 ASCII digits (GB/T 2260), e.g. \"310115\"");
        }
        else if (!DivisionCode.IsWellFormed(enterprise.DivisionCode))
        {
            scope.AddViolation(division, $"must be exactly 6 ASCII digits (GB/T 2260), e.g. \"310115\"; got {enterprise.DivisionCode.Length} characters"
                + (enterprise.DivisionCode.Length == 6 ? " with a non-digit" : string.Empty));
        }

        var industry = Paths.Field(field, "industry_code");
        if (enterprise.IndustryCode.Length == 0)
        {
            scope.AddViolation(industry, "is required: a GB/T 4754-2017 code matching ^[A-T]([0-9]{2,4})?$, e.g. \"C3911\"");
        }
        else if (!IndustryCode.IsWellFormed(enterprise.IndustryCode))
        {
            scope.AddViolation(industry, "must match ^[A-T]([0-9]{2,4})?$: a section letter A-T, optionally followed by a 2-, 3- or 4-digit division, group or class, e.g. \"C\", \"C39\", \"C391\", \"C3911\"");
        }

        scope.CheckRequiredEnum(Paths.Field(field, "size"), enterprise.Size);
        if (enterprise.AnnualRevenue is not null)
        {
            scope.CheckMoney(Paths.Field(field, "annual_revenue"), enterprise.AnnualRevenue, allowZero: true);
        }

        return codeUsable;
    }

    private static void CheckDimensions(ValidationScope scope, string prefix, IList<CreditDimension> dimensions, DateTimeOffset? asOf)
    {
        if (dimensions.Count > MaxDimensions)
        {
            scope.AddViolation(Paths.Field(prefix, "dimensions"), $"must have 0 to {MaxDimensions} entries; got {dimensions.Count}");
        }

        var firstIndexByCode = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < dimensions.Count; i++)
        {
            var field = Paths.Item(prefix, "dimensions", i);
            var dimension = dimensions[i];
            scope.CheckRequiredEnum(Paths.Field(field, "group"), dimension.Group);
            if (CheckDimensionCode(scope, Paths.Field(field, "code"), dimension.Code))
            {
                if (firstIndexByCode.TryGetValue(dimension.Code, out var first))
                {
                    scope.AddViolation(
                        Paths.Field(field, "code"),
                        $"repeats \"{dimension.Code}\", already at {Paths.Item(prefix, "dimensions", first)}; summarise several records of one kind in one entry");
                }
                else
                {
                    firstIndexByCode.Add(dimension.Code, i);
                }
            }

            scope.CheckText(Paths.Field(field, "value"), dimension.Value, 1, 200);
            scope.CheckDefinedEnum(Paths.Field(field, "level"), dimension.Level);
            scope.CheckText(Paths.Field(field, "description"), dimension.Description, 0, 1000);
            var observedField = Paths.Field(field, "observed_at");
            if (scope.CheckTimestamp(observedField, dimension.ObservedAt, out var observedAt) && asOf is { } profileAsOf && observedAt > profileAsOf)
            {
                scope.AddViolation(
                    observedField,
                    $"must not be later than the profile's as_of ({ValidationScope.FormatInstant(profileAsOf)}); got {ValidationScope.FormatInstant(observedAt)}");
            }
        }
    }

    private static bool CheckDimensionCode(ValidationScope scope, string field, string code)
    {
        const string rule = "must be 1 to 64 characters of lower snake case matching ^[a-z][a-z0-9_]*$, e.g. \"social_insurance\"";
        if (code.Length == 0)
        {
            scope.AddViolation(field, $"is required; {rule}");
            return false;
        }

        if (code.Length > 64)
        {
            scope.AddViolation(field, $"{rule}; got {code.Length} characters");
            return false;
        }

        var wellFormed = char.IsAsciiLetterLower(code[0]);
        for (var i = 1; wellFormed && i < code.Length; i++)
        {
            wellFormed = char.IsAsciiLetterLower(code[i]) || char.IsAsciiDigit(code[i]) || code[i] == '_';
        }

        if (!wellFormed)
        {
            scope.AddViolation(field, rule);
        }

        return wellFormed;
    }

    private static void CheckInnovationPoints(ValidationScope scope, string field, InnovationPoints points)
    {
        scope.CheckAtLeast(Paths.Field(field, "total_points"), points.TotalPoints, 0, " points");
        if (points.Indicators.Count > MaxIndicators)
        {
            scope.AddViolation(Paths.Field(field, "indicators"), $"must have 0 to {MaxIndicators} entries; got {points.Indicators.Count}");
        }

        var firstIndexByCode = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < points.Indicators.Count; i++)
        {
            var itemField = Paths.Item(field, "indicators", i);
            var indicator = points.Indicators[i];
            var codeField = Paths.Field(itemField, "code");
            if (scope.CheckIdentifier(codeField, indicator.Code, Identifiers.CodePunctuation))
            {
                if (firstIndexByCode.TryGetValue(indicator.Code, out var first))
                {
                    scope.AddViolation(codeField, $"repeats \"{indicator.Code}\", already at {Paths.Item(field, "indicators", first)}; each indicator may appear once");
                }
                else
                {
                    firstIndexByCode.Add(indicator.Code, i);
                }
            }

            scope.CheckText(Paths.Field(itemField, "name"), indicator.Name, 1, 200);
            scope.CheckAtLeast(Paths.Field(itemField, "points"), indicator.Points, 0, " points");
        }
    }
}
