using ConnectorKit.Client.Tracking;

namespace ConnectorKit.Client.Receiver;

/// <summary>
/// Settings of the LoanEvents callback receiver (<c>AddConnectorKitCallbacks</c>), validated at start-up. Banks
/// authenticate with a bearer token and/or a client certificate; at least one method must be configured unless
/// <see cref="AllowUnauthenticatedCallers"/> is set.
/// </summary>
public sealed class ConnectorKitCallbackOptions
{
    /// <summary>Bearer token → bank id. When not empty, every call must carry <c>authorization: Bearer &lt;token&gt;</c>. <value>Default empty.</value></summary>
    public Dictionary<string, string> BearerTokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>SHA-256 thumbprint (64 hex digits, separators ignored) of a bank's client certificate → bank id. <value>Default empty.</value></summary>
    public Dictionary<string, string> PinnedClientCertificates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>PEM file of the CA that issues banks' client certificates; the bank id is the certificate's subject CN. <value>Default none.</value></summary>
    public string? ClientCertificateCaPath { get; set; }

    /// <summary>
    /// Accept callers without credentials and trust header.bank_id. For local development only. <value>Default false.</value>
    /// </summary>
    public bool AllowUnauthenticatedCallers { get; set; }

    /// <summary>Which database keeps tracked applications and received event ids. <value>Default <see cref="PlatformStoreKind.Sqlite"/>.</value></summary>
    public PlatformStoreKind StoreKind { get; set; } = PlatformStoreKind.Sqlite;

    /// <summary>Where the SQLite file <c>connectorkit-platform.db</c> lives. <value>Default <c>data</c> under the working directory.</value></summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Npgsql connection string; required when <see cref="StoreKind"/> is <see cref="PlatformStoreKind.PostgreSql"/>.</summary>
    public string? PostgresConnectionString { get; set; }
}
