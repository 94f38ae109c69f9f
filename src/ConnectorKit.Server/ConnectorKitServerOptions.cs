using System.ComponentModel.DataAnnotations;

namespace ConnectorKit.Server;

/// <summary>Settings of a bank's ConnectorKit server. Bind from configuration section <c>ConnectorKit:Server</c>.</summary>
public sealed class ConnectorKitServerOptions
{
    /// <summary>This bank's id, as consents name it in <c>grantee_bank_id</c> and callbacks in <c>bank_id</c>. Required.</summary>
    [Required]
    public string BankId { get; set; } = string.Empty;

    /// <summary>Where the embedded SQLite database lives. <value>Default <c>data</c> under the working directory.</value></summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Which store: <see cref="StoreKind.Sqlite"/> (embedded) or <see cref="StoreKind.PostgreSql"/> (several nodes). <value>Default SQLite.</value></summary>
    public StoreKind Store { get; set; } = StoreKind.Sqlite;

    /// <summary>Npgsql connection string; required when <see cref="Store"/> is PostgreSql.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>What to do with a credit code whose check character is wrong (early pilot-region codes). <value>Default Reject.</value></summary>
    public CreditCodePolicy CreditCodePolicy { get; set; } = CreditCodePolicy.Reject;

    /// <summary>How far a consent's grant time may lie in the future (clock skew between platform and bank). <value>Default 5 minutes.</value></summary>
    public TimeSpan ConsentClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Profiles per transaction in the bulk sync. <value>Default 500.</value></summary>
    [Range(1, 100_000)]
    public int BulkBatchSize { get; set; } = 500;

    /// <summary>Rejections listed in a bulk sync summary; the rest are only counted. <value>Default 100.</value></summary>
    [Range(0, 10_000)]
    public int MaxReportedRejections { get; set; } = 100;

    /// <summary>Where the platform's LoanEvents service is, and how to reach it.</summary>
    public PlatformCallbackOptions Platform { get; set; } = new();

    /// <summary>Whether MapConnectorKitServer also maps grpc.health.v1.Health. <value>Default true.</value></summary>
    public bool EnableHealth { get; set; } = true;

    /// <summary>Whether MapConnectorKitServer also maps server reflection (v1 and v1alpha). <value>Default true.</value></summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>Whether the outbox dispatcher runs in this process. Turn off on nodes that should only serve. <value>Default true.</value></summary>
    public bool RunOutboxDispatcher { get; set; } = true;

    /// <summary>Who may call this server.</summary>
    public ServerAuthenticationOptions Authentication { get; set; } = new();

    /// <summary>How many calls each platform may make; off unless <see cref="PlatformRateLimitOptions.CallsPerSecond"/> is set.</summary>
    public PlatformRateLimitOptions RateLimit { get; set; } = new();
}

public enum StoreKind
{
    Sqlite,
    PostgreSql,
}

/// <summary>How a credit code that fails its check character is treated.</summary>
public enum CreditCodePolicy
{
    /// <summary>INVALID_ARGUMENT with a field violation.</summary>
    Reject,

    /// <summary>Accepted, with a warning in the log (masked code).</summary>
    AcceptWithWarning,
}

/// <summary>The platform's callback endpoint and the dispatcher's delivery policy.</summary>
public sealed class PlatformCallbackOptions
{
    /// <summary>The platform's LoanEvents address, <c>https://…</c> or <c>http://…</c> (h2c). Null: callbacks wait in the outbox.</summary>
    public Uri? Address { get; set; }

    /// <summary>Bearer token sent in <c>authorization</c> metadata; null sends none.</summary>
    public string? BearerToken { get; set; }

    /// <summary>PEM file of the client certificate (with its key) for mutual TLS; null sends none.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate's private key, when not in <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientCertificateKeyPath { get; set; }

    /// <summary>PEM file of the CA that signs the platform's certificate; null uses the system's trust store.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Deadline of one delivery attempt. <value>Default 10 s.</value></summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; doubles with jitter up to <see cref="MaxRetryDelay"/>. <value>Default 1 s.</value></summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts. <value>Default 5 minutes.</value></summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the dispatcher looks for due messages when idle. <value>Default 500 ms.</value></summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Messages leased per round. <value>Default 100.</value></summary>
    public int BatchSize { get; set; } = 100;
}

/// <summary>How callers (platforms) authenticate to this server.</summary>
public sealed class ServerAuthenticationOptions
{
    /// <summary>Accepted bearer tokens and the platform id each stands for. Empty: no token required.</summary>
    public Dictionary<string, string> BearerTokens { get; set; } = [];

    /// <summary>Require a client certificate (mutual TLS). <value>Default false.</value></summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>PEM file of the CA that must sign client certificates; null with pinning only.</summary>
    public string? ClientCertificateCaPath { get; set; }

    /// <summary>SHA-256 thumbprints (hex) of accepted client certificates, mapped to the platform id; pinning.</summary>
    public Dictionary<string, string> PinnedClientCertificates { get; set; } = [];

    /// <summary>The platform id used when authentication is off. <value>Default <c>default</c>.</value></summary>
    public string DefaultPlatformId { get; set; } = "default";
}
