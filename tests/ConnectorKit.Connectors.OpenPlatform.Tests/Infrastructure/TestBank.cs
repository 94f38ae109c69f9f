using System.Text;
using ConnectorKit.Connectors.Signing;
using Microsoft.AspNetCore.WebUtilities;

namespace ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;

/// <summary>
/// The bank's side of the test: the checked-in TEST-ONLY key pairs (never used outside tests), signed notifications
/// like the bank sends, and readers for the gateway forms WireMock journalled.
/// </summary>
internal static class TestBank
{
    public const string AppId = "10000001";
    public const string NotifyPath = "/open-platform/notify";
    public const string GatewayPath = "/gateway.do";

    public static string KeysFolder => Path.Combine(AppContext.BaseDirectory, "wiremock", "keys");

    public static string MappingsFolder => Path.Combine(AppContext.BaseDirectory, "wiremock", "mappings");

    public static string BankPrivatePem => File.ReadAllText(Path.Combine(KeysFolder, "TEST-ONLY-bank-private.pem"));

    public static string BankPublicPem => File.ReadAllText(Path.Combine(KeysFolder, "TEST-ONLY-bank-public.pem"));

    public static string ConnectorPrivatePem => File.ReadAllText(Path.Combine(KeysFolder, "TEST-ONLY-connector-private.pem"));

    public static string ConnectorPublicPem => File.ReadAllText(Path.Combine(KeysFolder, "TEST-ONLY-connector-public.pem"));

    /// <summary>The bank's signer: its private key, trusting the connector's public key (to check acknowledgements).</summary>
    public static GatewayKeyRing BankRing(string? bankPrivatePem = null) => GatewayKeyRing.Create(new GatewayKeyRingOptions
    {
        PrivateKeyPem = bankPrivatePem ?? BankPrivatePem,
        PrivateKeyId = "bank",
        PeerPublicKeys = { new GatewayPublicKey { KeyId = "connector", Pem = ConnectorPublicPem } },
    });

    /// <summary>A notification form as the bank signs it.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Notification(
        GatewayKeyRing bank, string method, string notifyId, string bizContent, DateTimeOffset? sentAt = null, string appId = AppId)
        => GatewaySignature.Sign(bank, NotifyPath,
        [
            new("app_id", appId),
            new("method", method),
            new("notify_id", notifyId),
            new("format", "json"),
            new("charset", "utf-8"),
            new("sign_type", "RSA2"),
            new("timestamp", GatewayNotification.FormatTimestamp(sentAt ?? DateTimeOffset.UtcNow)),
            new("biz_content", bizContent),
        ]);

    public static async Task<HttpResponseMessage> PostAsync(Uri bankFacing, IEnumerable<KeyValuePair<string, string>> form, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        return await http.PostAsync(new Uri(bankFacing, NotifyPath.TrimStart('/')), new FormUrlEncodedContent(form)).WaitAsync(timeout);
    }

    /// <summary>The gateway call's form fields, decoded from a journalled body.</summary>
    public static Dictionary<string, string> Form(string body)
        => QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public static string Method(string body) => Form(body).GetValueOrDefault("method") ?? string.Empty;

    /// <summary>A gateway answer signed with the test bank key (or <paramref name="bankPrivatePem"/>), for stubs made in a test.</summary>
    public static string SignedAnswer(string content, string? bankPrivatePem = null)
    {
        using var bank = BankRing(bankPrivatePem);
        return GatewayResponse.CreateSigned(bank, content);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
