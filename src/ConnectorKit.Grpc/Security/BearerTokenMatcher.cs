using System.Security.Cryptography;
using System.Text;

namespace ConnectorKit.Grpc.Security;

/// <summary>
/// Finds the caller a bearer token stands for (a platform, a bank) without letting timing reveal how much of a token was
/// right or which configured token matched. Shared by the bank server's and the callback receiver's authentication.
/// </summary>
public sealed class BearerTokenMatcher
{
    private readonly (byte[] Hash, string CallerId)[] _entries;

    /// <param name="tokens">Token → caller id.</param>
    /// <exception cref="InvalidOperationException">A token or caller id is empty.</exception>
    public BearerTokenMatcher(IReadOnlyDictionary<string, string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _entries = new (byte[], string)[tokens.Count];
        var i = 0;
        foreach (var (token, callerId) in tokens)
        {
            if (string.IsNullOrWhiteSpace(token) || string.IsNullOrWhiteSpace(callerId))
            {
                throw new InvalidOperationException("BearerTokens holds an empty token or caller id.");
            }

            _entries[i++] = (Hash(token), callerId);
        }
    }

    public bool IsConfigured => _entries.Length > 0;

    /// <summary>The caller id of <paramref name="token"/>, or null when no configured token matches.</summary>
    public string? Match(string token)
    {
        // Comparing fixed-length hashes hides the configured tokens' lengths, which FixedTimeEquals alone would not,
        // and visiting every entry keeps the time independent of which one matched.
        var presented = Hash(token);
        string? callerId = null;
        foreach (var (hash, candidate) in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                callerId = candidate;
            }
        }

        return callerId;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
