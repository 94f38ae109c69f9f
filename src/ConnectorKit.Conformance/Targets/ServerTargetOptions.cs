using System.Text.Json;
using System.Text.Json.Serialization;
using ConnectorKit.Connectors;

namespace ConnectorKit.Conformance.Targets;

/// <summary>
/// A live bank to check, read from a JSON target file (see docs/for-integrators.md). Paths are relative to the
/// file. Tokens may be given as <c>env:NAME</c> to read them from the environment instead of the file.
/// </summary>
public sealed class ServerTargetOptions
{
    /// <summary>Shown in reports.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>The bank's gRPC address, <c>https://…</c> or <c>http://…</c> (h2c). Required.</summary>
    [JsonPropertyName("address")]
    public Uri? Address { get; set; }

    /// <summary>The bank id consents must name. Required.</summary>
    [JsonPropertyName("bank_id")]
    public string? BankId { get; set; }

    /// <summary>The platform's bearer token at the bank; none sends no token (and CK-SEC-001 is skipped).</summary>
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    /// <summary>A second platform's token, for the tenancy case; none skips it.</summary>
    [JsonPropertyName("other_platform_token")]
    public string? OtherPlatformToken { get; set; }

    [JsonPropertyName("tls")]
    public TlsSettings? Tls { get; set; }

    /// <summary>Where the suite's callback sink listens (h2c); configure the bank's sandbox to deliver there. Default <c>http://127.0.0.1:0</c> (any port, for in-process use).</summary>
    [JsonPropertyName("callback_listen")]
    public Uri? CallbackListen { get; set; }

    [JsonPropertyName("driver")]
    public DriverSettings? Driver { get; set; }

    /// <summary>What the bank supports; names of <see cref="ConnectorCapabilities"/>. Default: all.</summary>
    [JsonPropertyName("capabilities")]
    public List<string>? Capabilities { get; set; }

    /// <summary>The expectations file (expected failures and skips), relative to this file.</summary>
    [JsonPropertyName("expectations")]
    public string? Expectations { get; set; }

    /// <summary>The folder the file was read from; relative paths resolve against it.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; set; } = Directory.GetCurrentDirectory();

    public sealed class TlsSettings
    {
        /// <summary>PEM of the CA that signs the bank's certificate; none uses the system store.</summary>
        [JsonPropertyName("trusted_ca")]
        public string? TrustedCa { get; set; }

        /// <summary>PEM of the platform's client certificate, for mutual TLS.</summary>
        [JsonPropertyName("client_certificate")]
        public string? ClientCertificate { get; set; }

        /// <summary>PEM of its key, when not in the certificate file.</summary>
        [JsonPropertyName("client_key")]
        public string? ClientKey { get; set; }
    }

    public sealed class DriverSettings
    {
        /// <summary>The bank's sandbox driver, e.g. <c>http://127.0.0.1:5002/sandbox/</c>. Required.</summary>
        [JsonPropertyName("url")]
        public Uri? Url { get; set; }

        [JsonPropertyName("token")]
        public string? Token { get; set; }
    }

    /// <exception cref="FormatException">The file is not valid, or a required setting is missing; the message names it.</exception>
    public static ServerTargetOptions Load(string path)
    {
        ServerTargetOptions? options;
        try
        {
            options = JsonSerializer.Deserialize(File.ReadAllText(path), TargetJson.Default.ServerTargetOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not a valid target file ({ex.Message}).", ex);
        }

        if (options is null)
        {
            throw new FormatException($"{path}: empty target file.");
        }

        options.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        options.Validate(path);
        return options;
    }

    /// <exception cref="FormatException">A required setting is missing or invalid.</exception>
    public void Validate(string source = "target")
    {
        if (Address is null || Address.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"{source}: \"address\" must be the bank's http:// or https:// gRPC address.");
        }

        if (string.IsNullOrWhiteSpace(BankId))
        {
            throw new FormatException($"{source}: \"bank_id\" is required.");
        }

        if (Driver?.Url is null)
        {
            throw new FormatException($"{source}: \"driver.url\" is required: the suite drives decisions and payments through the bank's sandbox driver.");
        }

        foreach (var name in Capabilities ?? [])
        {
            if (!Enum.TryParse<ConnectorCapabilities>(name, ignoreCase: true, out _))
            {
                throw new FormatException($"{source}: unknown capability \"{name}\"; known: {string.Join(", ", Enum.GetNames<ConnectorCapabilities>())}.");
            }
        }
    }

    internal ConnectorCapabilities ParsedCapabilities => Capabilities is null
        ? ConnectorCapabilities.All
        : Capabilities.Aggregate(ConnectorCapabilities.None, (all, name) => all | Enum.Parse<ConnectorCapabilities>(name, ignoreCase: true));

    internal string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory, path);

    internal static string? Secret(string? value)
        => value is not null && value.StartsWith("env:", StringComparison.Ordinal)
            ? Environment.GetEnvironmentVariable(value[4..]) ?? throw new FormatException($"The environment variable {value[4..]} is not set.")
            : value;
}

[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ServerTargetOptions))]
internal sealed partial class TargetJson : JsonSerializerContext;
