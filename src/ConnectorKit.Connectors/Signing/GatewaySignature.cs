using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ConnectorKit.Connectors.Signing;

/// <summary>
/// The open-platform signed text: the URL path, <c>?</c>, then every parameter except <c>sign</c>, sorted by key
/// (ordinal), as <c>k=v</c> joined by <c>&amp;</c>. Values go in as sent, before any URL encoding.
/// </summary>
public static class GatewaySignature
{
    /// <summary>The parameter that carries the signature, left out of the signed text.</summary>
    public const string SignParameter = "sign";

    /// <summary>The signed text of a request or notification.</summary>
    /// <exception cref="ArgumentException">A key appears twice: the two sides could not agree on its value.</exception>
    public static string SignedText(string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(parameters);
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            if (key == SignParameter)
            {
                continue;
            }

            if (!sorted.TryAdd(key, value ?? string.Empty))
            {
                throw new ArgumentException($"Parameter '{key}' appears twice.", nameof(parameters));
            }
        }

        var text = new StringBuilder(path).Append('?');
        var first = true;
        foreach (var (key, value) in sorted)
        {
            if (!first)
            {
                text.Append('&');
            }

            text.Append(key).Append('=').Append(value);
            first = false;
        }

        return text.ToString();
    }

    /// <summary>The parameters with <c>sign</c> added (replacing any there), signed with our key.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sign(
        GatewayKeyRing keyRing, string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.Where(p => p.Key != SignParameter).ToList();
        list.Add(new(SignParameter, keyRing.Sign(SignedText(path, list))));
        return list;
    }

    /// <summary>
    /// Checks the <c>sign</c> among <paramref name="parameters"/> against the bank's keys. False when it is missing,
    /// appears twice, a key repeats, or no current bank key verifies it.
    /// </summary>
    public static bool TryVerify(
        GatewayKeyRing keyRing, string path, IEnumerable<KeyValuePair<string, string>> parameters, [NotNullWhen(true)] out string? keyId)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(parameters);
        keyId = null;
        var list = parameters.ToList();
        var signs = list.Where(p => p.Key == SignParameter).ToList();
        if (signs.Count != 1)
        {
            return false;
        }

        string text;
        try
        {
            text = SignedText(path, list);
        }
        catch (ArgumentException)
        {
            return false;
        }

        return keyRing.TryVerify(text, signs[0].Value, out keyId);
    }
}
