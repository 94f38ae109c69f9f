using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using ConnectorKit.Connectors.Signing.Internal;

namespace ConnectorKit.Connectors.Signing;

/// <summary>
/// RSA2 (SHA256withRSA, PKCS#1 v1.5) signing with our private key and verification against the bank's public keys,
/// tried in the configured order. Thread-safe; dispose it with the host.
/// </summary>
public sealed class GatewayKeyRing : IDisposable
{
    private readonly RSA _privateKey;
    private readonly IReadOnlyList<PeerKey> _peerKeys;
    private readonly TimeProvider _timeProvider;

    private GatewayKeyRing(RSA privateKey, string privateKeyId, IReadOnlyList<PeerKey> peerKeys, TimeProvider timeProvider)
    {
        _privateKey = privateKey;
        SigningKeyId = privateKeyId;
        _peerKeys = peerKeys;
        _timeProvider = timeProvider;
    }

    /// <summary>The id of our key, from <see cref="GatewayKeyRingOptions.PrivateKeyId"/>.</summary>
    public string SigningKeyId { get; }

    /// <summary>The ids of the bank keys, in the order they are tried (expired ones included).</summary>
    public IReadOnlyList<string> PeerKeyIds => _peerKeys.Select(k => k.Id).ToList();

    /// <summary>Loads the keys.</summary>
    /// <exception cref="ArgumentException">A PEM is missing, unreadable, of the wrong kind, or a key id repeats; the message names which.</exception>
    public static GatewayKeyRing Create(GatewayKeyRingOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = PemKeys.Validate(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var privateKey = PemKeys.LoadPrivate(options.PrivateKeyPem);
        var peers = options.PeerPublicKeys.Select(k => new PeerKey(k.KeyId, PemKeys.LoadPublic(k.Pem), k.NotAfter)).ToList();
        return new GatewayKeyRing(privateKey, options.PrivateKeyId, peers, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Signs <paramref name="data"/> with our key; the signature in standard base64.</summary>
    public string Sign(ReadOnlySpan<byte> data)
        => Convert.ToBase64String(_privateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>Signs the UTF-8 bytes of <paramref name="text"/>.</summary>
    public string Sign(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Sign(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Checks a base64 signature over <paramref name="data"/> against each bank key still in force, in order.
    /// False for a missing or malformed signature, or one no current key verifies.
    /// </summary>
    /// <param name="keyId">The id of the key that verified it.</param>
    public bool TryVerify(ReadOnlySpan<byte> data, string? signature, [NotNullWhen(true)] out string? keyId)
    {
        keyId = null;
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var bytes = new byte[((signature.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var key in _peerKeys)
        {
            if (key.NotAfter is { } notAfter && now > notAfter)
            {
                continue;
            }

            if (key.Rsa.VerifyData(data, bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                keyId = key.Id;
                return true;
            }
        }

        return false;
    }

    /// <summary>As the span overload, over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public bool TryVerify(string text, string? signature, [NotNullWhen(true)] out string? keyId)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryVerify(Encoding.UTF8.GetBytes(text), signature, out keyId);
    }

    public void Dispose()
    {
        _privateKey.Dispose();
        foreach (var key in _peerKeys)
        {
            key.Rsa.Dispose();
        }
    }

    private sealed record PeerKey(string Id, RSA Rsa, DateTimeOffset? NotAfter);
}
