namespace ConnectorKit.Connectors.Signing;

/// <summary>
/// The keys of one open-platform gateway relationship: our private key, which signs requests and acknowledgements,
/// and the bank's public keys, which verify its responses and notifications. Bind from configuration.
/// </summary>
public sealed class GatewayKeyRingOptions
{
    /// <summary>Our RSA private key as PEM (<c>PRIVATE KEY</c> or <c>RSA PRIVATE KEY</c>). Required; never logged.</summary>
    public string PrivateKeyPem { get; set; } = string.Empty;

    /// <summary>A name for our key in logs and in the bank's key registry.</summary>
    /// <value><c>default</c>.</value>
    public string PrivateKeyId { get; set; } = "default";

    /// <summary>
    /// The bank's public keys, at least one. While the bank rotates, list the new key and the old one; a signature
    /// is accepted when any listed key that has not passed its <see cref="GatewayPublicKey.NotAfter"/> verifies it.
    /// </summary>
    public IList<GatewayPublicKey> PeerPublicKeys { get; set; } = [];
}

/// <summary>One of the bank's public keys.</summary>
public sealed class GatewayPublicKey
{
    /// <summary>A name for the key, unique in the ring; logs say which key verified a message.</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>The key as PEM: <c>PUBLIC KEY</c>, <c>RSA PUBLIC KEY</c> or a <c>CERTIFICATE</c> holding it.</summary>
    public string Pem { get; set; } = string.Empty;

    /// <summary>When the key stops being accepted, for a rotation announced in advance; null: until removed.</summary>
    public DateTimeOffset? NotAfter { get; set; }
}
