using System.Globalization;

namespace ConnectorKit.Server.Observability;

/// <summary>
/// Masks personal and secret values for logs, traces and messages. Every method accepts null and never returns the input
/// unchanged; values of an unexpected shape are hidden entirely (<c>****</c>).
/// </summary>
public static class Mask
{
    private const string Hidden = "****";

    /// <summary>An 18-character Unified Social Credit Code: first 2 and last 4 kept, length kept, e.g. <c>91************7217</c>.</summary>
    public static string CreditCode(string? value)
    {
        if (value is null || value.Length != 18 || !value.All(char.IsAsciiLetterOrDigit))
        {
            return Hidden;
        }

        return string.Concat(value.AsSpan(0, 2), new string('*', 12), value.AsSpan(14));
    }

    /// <summary>
    /// A bank account or card number, spaces and hyphens dropped: 16 digits or more keep the first 6 and last 4,
    /// 8 to 15 keep the last 4, shorter ones are all <c>*</c>.
    /// </summary>
    public static string AccountNumber(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Hidden;
        }

        var compact = Compact(value);
        return compact.Length switch
        {
            >= 16 => string.Concat(compact.AsSpan(0, 6), new string('*', compact.Length - 10), compact.AsSpan(compact.Length - 4)),
            >= 8 => string.Concat(new string('*', compact.Length - 4), compact.AsSpan(compact.Length - 4)),
            _ => new string('*', compact.Length),
        };
    }

    /// <summary>
    /// A mainland mobile number keeps its first 3 and last 4 digits (<c>138****5678</c>); a <c>+86</c>, <c>0086</c> or <c>86</c>
    /// prefix is kept as <c>+86 </c>. Other numbers of 7 digits or more keep only the last 4.
    /// </summary>
    public static string Phone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Hidden;
        }

        var digits = Compact(value).Replace("(", string.Empty, StringComparison.Ordinal).Replace(")", string.Empty, StringComparison.Ordinal);
        var prefix = string.Empty;
        if (digits.StartsWith("+86", StringComparison.Ordinal))
        {
            (prefix, digits) = ("+86 ", digits[3..]);
        }
        else if (digits.StartsWith("0086", StringComparison.Ordinal))
        {
            (prefix, digits) = ("+86 ", digits[4..]);
        }
        else if (digits.Length == 13 && digits.StartsWith("861", StringComparison.Ordinal))
        {
            (prefix, digits) = ("+86 ", digits[2..]);
        }

        if (digits.Length < 7 || !digits.All(char.IsAsciiDigit))
        {
            return Hidden;
        }

        return digits.Length == 11 && digits[0] == '1'
            ? string.Concat(prefix, digits.AsSpan(0, 3), "****", digits.AsSpan(7))
            : string.Concat(prefix, new string('*', digits.Length - 4), digits.AsSpan(digits.Length - 4));
    }

    /// <summary>A secret: <c>****</c>, followed by its last 4 characters when it has 12 or more (enough to tell tokens apart).</summary>
    public static string Token(string? value)
        => value is { Length: >= 12 } ? string.Concat(Hidden, value.AsSpan(value.Length - 4)) : Hidden;

    /// <summary>A person's or enterprise's name: its first character, then one <c>*</c> per further character (<c>张三丰</c> → <c>张**</c>); a single character is hidden.</summary>
    public static string Name(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Hidden;
        }

        // Text elements, not chars, so a name starting with a supplementary-plane character (e.g. 𠮷) is not cut in half.
        var name = value.Trim();
        var length = new StringInfo(name).LengthInTextElements;
        return length == 1 ? "*" : StringInfo.GetNextTextElement(name) + new string('*', length - 1);
    }

    private static string Compact(string value)
    {
        Span<char> buffer = value.Length <= 64 ? stackalloc char[value.Length] : new char[value.Length];
        var length = 0;
        foreach (var c in value)
        {
            if (!char.IsWhiteSpace(c) && c != '-')
            {
                buffer[length++] = c;
            }
        }

        return new string(buffer[..length]);
    }
}
