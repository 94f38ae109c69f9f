using System.Text.RegularExpressions;
using ConnectorKit.Server.Observability;

namespace ConnectorKit.Conformance.Running;

/// <summary>
/// Masks what must not reach a report: credit codes, mobile numbers, account numbers, bearer tokens and the values
/// of secret-looking JSON or form fields. Applied to every evidence excerpt, whatever a case passes in.
/// </summary>
internal static partial class EvidenceMask
{
    public static string Apply(string text)
    {
        text = Bearer().Replace(text, m => m.Groups["scheme"].Value + Mask.Token(m.Groups["token"].Value));
        text = SecretField().Replace(text, m => m.Groups["key"].Value + Mask.Token(m.Groups["value"].Value));
        text = CreditCode().Replace(text, m => Mask.CreditCode(m.Value));
        text = Mobile().Replace(text, m => Mask.Phone(m.Value));
        return Account().Replace(text, m => Mask.AccountNumber(m.Value));
    }

    // "client_secret": "…", access_token=…, sign=… — the value up to the closing quote, '&' or whitespace.
    [GeneratedRegex("""(?<key>"?(?:client_secret|access_token|refresh_token|secret|password|sign|signature|private_key|authorization)"?\s*[:=]\s*"?)(?!(?:Bearer|Basic)\s|\*\*\*\*)(?<value>[^"&\s,}]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex SecretField();

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic)\s+)(?<token>[A-Za-z0-9\-._~+/=]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Z])")]
    private static partial Regex CreditCode();

    [GeneratedRegex(@"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")]
    private static partial Regex Mobile();

    [GeneratedRegex(@"(?<![0-9])[0-9]{12,19}(?![0-9])")]
    private static partial Regex Account();
}
