using System.Security.Cryptography;
using System.Text;

namespace ConnectorKit.Server.Security.Internal;

/// <summary>Finds the platform a bearer token stands for without letting timing reveal how much of a token was right.</summary>
internal sealed class BearerTokenMatcher
{
    private readonly (byte[] Hash, string PlatformId)[] _entries;

    public BearerTokenMatcher(IReadOnlyDictionary<string, string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _entries = new (byte[], string)[tokens.Count];
        var i = 0;
        foreach (var (token, platformId) in tokens)
        {
            if (string.IsNullOrWhiteSpace(token) || string.IsNullOrWhiteSpace(platformId))
            {
                throw new InvalidOperationException("BearerTokens holds an empty token or platform id.");
            }

            _entries[i++] = (Hash(token), platformId);
        }
    }

    public bool IsConfigured => _entries.Length > 0;

    /// <summary>The platform id of <paramref name="token"/>, or null when no configured token matches.</summary>
    public string? Match(string token)
    {
        // Comparing fixed-length hashes hides the configured tokens' lengths, which FixedTimeEquals alone would not,
        // and visiting every entry keeps the time independent of which one matched.
        var presented = Hash(token);
        string? platformId = null;
        foreach (var (hash, candidate) in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                platformId = candidate;
            }
        }

        return platformId;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
