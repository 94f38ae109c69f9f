using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>The rules of credit_data.proto for a CreditProfile and the Enterprise it describes.</summary>
internal static class ProfileRules
{
    private const int MaxDimensions = 200;
    private const int MaxIndicators = 100;

    // Up to this many entries, duplicates are found by scanning the earlier ones: cheaper than a dictionary per profile.
    private const int LinearScanLimit = 16;

    public static void Check(ValidationScope scope, FieldPath prefix, CreditProfile? profile)
    {
        if (profile is null)
        {
            scope.AddViolation(prefix, "is required: the credit profile to upsert");
            return;
        }

        var enterpriseField = prefix.Field("enterprise");
        string? enterpriseCode = null;
        if (profile.Enterprise is null)
        {
            scope.AddViolation(enterpriseField, "is required: the enterprise the profile describes");
        }
        else if (CheckEnterprise(scope, enterpriseField, profile.Enterprise))
        {
            enterpriseCode = profile.Enterprise.CreditCode;
        }

        ConsentRules.Check(scope, prefix.Field("consent"), profile.Consent, ConsentScope.CreditProfile, "sharing a credit profile", enterpriseCode);
        scope.CheckAtLeast(prefix.Field("version"), profile.Version, 1);
        scope.CheckRequiredEnum(prefix.Field("grade"), profile.Grade);
        scope.CheckRange(prefix.Field("score"), profile.Score, 0, 1000);

        // observed_at of each dimension is compared with as_of, whose own faults are reported in field order below.
        var hasAsOf = ValidationScope.TryGetInstant(profile.AsOf, out var asOf);
        CheckDimensions(scope, prefix, profile.Dimensions, hasAsOf ? asOf : null);
        if (profile.InnovationPoints is not null)
        {
            CheckInnovationPoints(scope, prefix.Field("innovation_points"), profile.InnovationPoints);
        }

        scope.CheckIdentifier(prefix.Field("source"), profile.Source, Identifiers.CodePunctuation);
        scope.CheckTimestampNotInFuture(prefix.Field("as_of"), profile.AsOf, out _);
    }

    /// <summary>True when the credit code is usable for comparing with the consent.</summary>
    private static bool CheckEnterprise(ValidationScope scope, FieldPath field, Enterprise enterprise)
    {
        var codeUsable = scope.CheckCreditCode(field.Field("credit_code"), enterprise.CreditCode);
        scope.CheckText(field.Field("name"), enterprise.Name, 1, 200);

        var division = field.Field("division_code");
        if (enterprise.DivisionCode.Length == 0)
        {
            scope.AddViolation(division, "is required: 6 ASCII digits (GB/T 2260), e.g. \"310115\"");
        }
        else if (!DivisionCode.IsWellFormed(enterprise.DivisionCode))
        {
            scope.AddViolation(division, $"must be exactly 6 ASCII digits (GB/T 2260), e.g. \"310115\"; got {enterprise.DivisionCode.Length} characters"
                + (enterprise.DivisionCode.Length == 6 ? " with a non-digit" : string.Empty));
        }

        var industry = field.Field("industry_code");
        if (enterprise.IndustryCode.Length == 0)
        {
            scope.AddViolation(industry, "is required: a GB/T 4754-2017 code matching ^[A-T]([0-9]{2,4})?$, e.g. \"C3911\"");
        }
        else if (!IndustryCode.IsWellFormed(enterprise.IndustryCode))
        {
            scope.AddViolation(industry, "must match ^[A-T]([0-9]{2,4})?$: a section letter A-T, optionally followed by a 2-, 3- or 4-digit division, group or class, e.g. \"C\", \"C39\", \"C391\", \"C3911\"");
        }

        scope.CheckRequiredEnum(field.Field("size"), enterprise.Size);
        if (enterprise.AnnualRevenue is not null)
        {
            scope.CheckMoney(field.Field("annual_revenue"), enterprise.AnnualRevenue, allowZero: true);
        }

        return codeUsable;
    }

    private static void CheckDimensions(ValidationScope scope, FieldPath prefix, IList<CreditDimension> dimensions, DateTimeOffset? asOf)
    {
        if (dimensions.Count > MaxDimensions)
        {
            scope.AddViolation(prefix.Field("dimensions"), $"must have 0 to {MaxDimensions} entries; got {dimensions.Count}");
        }

        var firstIndexByCode = dimensions.Count > LinearScanLimit ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        for (var i = 0; i < dimensions.Count; i++)
        {
            var field = prefix.Item("dimensions", i);
            var dimension = dimensions[i];
            scope.CheckRequiredEnum(field.Field("group"), dimension.Group);
            if (CheckDimensionCode(scope, field.Field("code"), dimension.Code))
            {
                var first = -1;
                if (firstIndexByCode is null)
                {
                    // An earlier equal code passed the same check, so the first one found is the first valid one.
                    for (var j = 0; j < i && first < 0; j++)
                    {
                        first = string.Equals(dimensions[j].Code, dimension.Code, StringComparison.Ordinal) ? j : -1;
                    }
                }
                else if (!firstIndexByCode.TryAdd(dimension.Code, i))
                {
                    first = firstIndexByCode[dimension.Code];
                }

                if (first >= 0)
                {
                    scope.AddViolation(
                        field.Field("code"),
                        $"repeats \"{dimension.Code}\", already at {prefix.Item("dimensions", first)}; summarise several records of one kind in one entry");
                }
            }

            scope.CheckText(field.Field("value"), dimension.Value, 1, 200);
            scope.CheckDefinedEnum(field.Field("level"), dimension.Level);
            scope.CheckText(field.Field("description"), dimension.Description, 0, 1000);
            var observedField = field.Field("observed_at");
            if (scope.CheckTimestamp(observedField, dimension.ObservedAt, out var observedAt) && asOf is { } profileAsOf && observedAt > profileAsOf)
            {
                scope.AddViolation(
                    observedField,
                    $"must not be later than the profile's as_of ({ValidationScope.FormatInstant(profileAsOf)}); got {ValidationScope.FormatInstant(observedAt)}");
            }
        }
    }

    private static bool CheckDimensionCode(ValidationScope scope, FieldPath field, string code)
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

    private static void CheckInnovationPoints(ValidationScope scope, FieldPath field, InnovationPoints points)
    {
        scope.CheckAtLeast(field.Field("total_points"), points.TotalPoints, 0, " points");
        if (points.Indicators.Count > MaxIndicators)
        {
            scope.AddViolation(field.Field("indicators"), $"must have 0 to {MaxIndicators} entries; got {points.Indicators.Count}");
        }

        // Joined once: FieldPath holds one level of index, and the indicators sit below innovation_points.
        FieldPath indicatorsParent = points.Indicators.Count == 0 ? field : field.ToString();
        var firstIndexByCode = points.Indicators.Count > LinearScanLimit ? new Dictionary<string, int>(StringComparer.Ordinal) : null;
        for (var i = 0; i < points.Indicators.Count; i++)
        {
            var itemField = indicatorsParent.Item("indicators", i);
            var indicator = points.Indicators[i];
            var codeField = itemField.Field("code");
            if (scope.CheckIdentifier(codeField, indicator.Code, Identifiers.CodePunctuation))
            {
                var first = -1;
                if (firstIndexByCode is null)
                {
                    for (var j = 0; j < i && first < 0; j++)
                    {
                        first = string.Equals(points.Indicators[j].Code, indicator.Code, StringComparison.Ordinal) ? j : -1;
                    }
                }
                else if (!firstIndexByCode.TryAdd(indicator.Code, i))
                {
                    first = firstIndexByCode[indicator.Code];
                }

                if (first >= 0)
                {
                    scope.AddViolation(codeField, $"repeats \"{indicator.Code}\", already at {indicatorsParent.Item("indicators", first)}; each indicator may appear once");
                }
            }

            scope.CheckText(itemField.Field("name"), indicator.Name, 1, 200);
            scope.CheckAtLeast(itemField.Field("points"), indicator.Points, 0, " points");
        }
    }
}
