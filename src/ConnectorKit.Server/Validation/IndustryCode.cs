namespace ConnectorKit.Server.Validation;

/// <summary>Industry codes of GB/T 4754-2017, as the contract accepts them.</summary>
public static class IndustryCode
{
    /// <summary>
    /// True when <paramref name="code"/> matches <c>^[A-T]([0-9]{2,4})?$</c>: a section letter, optionally followed by
    /// the 2-digit division, 3-digit group or 4-digit class ("C", "C39", "C391", "C3911"). Upper case only.
    /// </summary>
    public static bool IsWellFormed(string? code)
    {
        if (code is null || code.Length is not (1 or 3 or 4 or 5))
        {
            return false;
        }

        if (code[0] is < 'A' or > 'T')
        {
            return false;
        }

        for (var i = 1; i < code.Length; i++)
        {
            if (!char.IsAsciiDigit(code[i]))
            {
                return false;
            }
        }

        return true;
    }
}
