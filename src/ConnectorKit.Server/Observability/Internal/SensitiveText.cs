using System.Text.RegularExpressions;

namespace ConnectorKit.Server.Observability.Internal;

/// <summary>
/// Masks credit codes, mobile numbers and account numbers found inside free text, for values that end up in telemetry
/// tags although a caller chose them (dead-letter reasons, application ids).
/// </summary>
internal static partial class SensitiveText
{
    public static string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        text = CreditCodePattern().Replace(text, m => Mask.CreditCode(m.Value));
        text = PhonePattern().Replace(text, m => Mask.Phone(m.Value));
        return AccountPattern().Replace(text, m => Mask.AccountNumber(m.Value));
    }

    // The alphabet of a Unified Social Credit Code (GB 32100): digits and capitals without I, O, S, V, Z.
    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex CreditCodePattern();

    [GeneratedRegex(@"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9]{9}(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"(?<![0-9])[0-9]{12,25}(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();
}
