namespace ConnectorKit.Server.Validation;

/// <summary>Administrative division codes (GB/T 2260): province, prefecture and county, two digits each.</summary>
public static class DivisionCode
{
    /// <summary>
    /// True when <paramref name="code"/> is exactly 6 ASCII digits. This is the contract's rule: receivers check the
    /// format only, because the division table changes every year.
    /// </summary>
    public static bool IsWellFormed(string? code)
    {
        if (code is not { Length: 6 })
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Stricter than <see cref="IsWellFormed"/>: also a province part from 11 to 82 (Beijing to Macao), which rules
    /// out "000000". Not used to reject requests, since the contract checks the format only; for reports and data quality.
    /// </summary>
    public static bool IsPlausible(string? code)
    {
        if (!IsWellFormed(code))
        {
            return false;
        }

        var province = ((code![0] - '0') * 10) + (code[1] - '0');
        return province is >= 11 and <= 82;
    }
}
