namespace ConnectorKit.Contracts.V1;

/// <summary>The 18-character Unified Social Credit Code of GB 32100-2015: format, check character, masking.</summary>
public static class UnifiedSocialCreditCode
{
    /// <summary>Length of a code.</summary>
    public const int Length = 18;

    /// <summary>The permitted characters; a character's value is its index here (no I, O, S, V, Z).</summary>
    public const string Charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private const int VisiblePrefix = 2;
    private const int VisibleSuffix = 4;

    // 3^i mod 31 for positions 1-17.
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>True when <paramref name="code"/> is 18 characters from <see cref="Charset"/> (upper case). The check character is not examined.</summary>
    public static bool IsWellFormed(string? code)
        => code is { Length: Length } && IndexOfInvalidCharacter(code) < 0;

    /// <summary>The check character for the first 17 characters, or null when <paramref name="first17"/> is not 17 characters from <see cref="Charset"/>.</summary>
    public static char? ComputeCheckCharacter(string? first17)
    {
        if (first17 is not { Length: Length - 1 })
        {
            return null;
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var value = Charset.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            sum += value * Weights[i];
        }

        var c = 31 - (sum % 31);
        return Charset[c == 31 ? 0 : c];
    }

    /// <summary>True when the code is well-formed and its 18th character is the check character of the first 17.</summary>
    public static bool HasValidCheckCharacter(string? code)
        => IsWellFormed(code) && ComputeCheckCharacter(code![..(Length - 1)]) == code[Length - 1];

    /// <summary>
    /// A form safe for logs and error messages: the first 2 and last 4 characters around 12 <c>*</c>, always 18 long,
    /// e.g. <c>91************217T</c>, so the length of a malformed value is not shown either. Input shorter than 12 characters
    /// becomes 18 <c>*</c>, so a short value is never mostly visible.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> is null.</exception>
    public static string Mask(string code)
    {
        ArgumentNullException.ThrowIfNull(code);

        const int hidden = Length - VisiblePrefix - VisibleSuffix;
        if (code.Length < hidden)
        {
            return new string('*', Length);
        }

        return string.Concat(code.AsSpan(0, VisiblePrefix), new string('*', hidden), code.AsSpan(code.Length - VisibleSuffix));
    }

    /// <summary>Zero-based index of the first character outside <see cref="Charset"/>, or -1.</summary>
    public static int IndexOfInvalidCharacter(string code)
    {
        for (var i = 0; i < code.Length; i++)
        {
            if (!Charset.Contains(code[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
