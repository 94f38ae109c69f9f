using System.Text.RegularExpressions;

namespace ConnectorKit.Server.Tests.Observability.Infrastructure;

/// <summary>Finds personal data or secrets in text that should hold them only masked.</summary>
public static partial class SensitiveDataGuard
{
    /// <summary>The lines holding an 18-character credit code, an 11-digit mobile number, a 16–19 digit account number (each standing as a token of its own), or one of <paramref name="secrets"/>.</summary>
    /// <remarks>W3C trace context ids in logging scopes are random hex (and an absent parent is sixteen zeros), so they are set aside first.</remarks>
    public static IReadOnlyList<string> FindLeaks(IEnumerable<string> lines, params string[] secrets)
        => [.. lines.Where(line =>
        {
            var text = TraceContextId().Replace(line, "$1:<id>");
            return CreditCode().IsMatch(text) || Phone().IsMatch(text) || Account().IsMatch(text)
                || secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal));
        })];

    [GeneratedRegex(@"\b(TraceId|SpanId|ParentId):[0-9a-f]{16,32}\b")]
    private static partial Regex TraceContextId();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")]
    private static partial Regex CreditCode();

    // Letters count as part of the token too: a random hex id (a msg_id, a trace id) often holds a long run of
    // decimal digits, which is not a phone or account number.
    [GeneratedRegex(@"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{16,19}(?![0-9A-Za-z])")]
    private static partial Regex Account();
}
