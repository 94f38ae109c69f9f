using ConnectorKit.Connectors.OpenPlatform.Testing;
using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;

/// <summary>
/// The bank's side of the test, on top of <see cref="OpenPlatformTestKit"/> (the TEST-ONLY keys and mappings it ships,
/// its signed notifications): posting notifications, reading journalled gateway forms, signing ad-hoc answers.
/// </summary>
internal static class TestBank
{
    public const string AppId = OpenPlatformTestKit.AppId;
    public const string NotifyPath = OpenPlatformTestKit.NotifyPath;
    public const string GatewayPath = OpenPlatformTestKit.GatewayPath;

    public static string MappingsFolder => new OpenPlatformTestKit().MappingsDirectory;

    public static string BankPublicPem => OpenPlatformTestKit.BankPublicKeyPem;

    public static string ConnectorPrivatePem => OpenPlatformTestKit.ConnectorPrivateKeyPem;

    /// <summary>The bank's signer: its private key, trusting the connector's public key (to check acknowledgements).</summary>
    public static GatewayKeyRing BankRing(string? bankPrivatePem = null) => OpenPlatformTestKit.CreateBankKeyRing(bankPrivatePem);

    /// <summary>A notification form as the bank signs it.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Notification(
        GatewayKeyRing bank, string method, string notifyId, string bizContent, DateTimeOffset? sentAt = null, string appId = AppId)
        => OpenPlatformTestKit.Notification(bank, method, notifyId, bizContent, sentAt, appId);

    public static async Task<HttpResponseMessage> PostAsync(Uri bankFacing, IEnumerable<KeyValuePair<string, string>> form, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = timeout };
        return await http.PostAsync(new Uri(bankFacing, NotifyPath.TrimStart('/')), new FormUrlEncodedContent(form)).WaitAsync(timeout);
    }

    /// <summary>The gateway call's form fields, decoded from a journalled body.</summary>
    public static Dictionary<string, string> Form(string body) => OpenPlatformTestKit.Form(body);

    public static string Method(string body) => Form(body).GetValueOrDefault("method") ?? string.Empty;

    /// <summary>A gateway answer signed with the test bank key (or <paramref name="bankPrivatePem"/>), for stubs made in a test.</summary>
    public static string SignedAnswer(string content, string? bankPrivatePem = null)
    {
        using var bank = BankRing(bankPrivatePem);
        return GatewayResponse.CreateSigned(bank, content);
    }
}
