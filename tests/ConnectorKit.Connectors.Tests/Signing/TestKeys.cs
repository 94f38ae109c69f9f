using System.Security.Cryptography;
using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.Tests.Signing;

/// <summary>RSA key pairs made once per test run; 2048-bit generation costs tens of milliseconds each.</summary>
internal static class TestKeys
{
    private static readonly Lazy<(string Private, string Public)> LazyOurs = new(Generate);
    private static readonly Lazy<(string Private, string Public)> LazyBankOld = new(Generate);
    private static readonly Lazy<(string Private, string Public)> LazyBankNew = new(Generate);

    public static (string Private, string Public) Ours => LazyOurs.Value;

    public static (string Private, string Public) BankOld => LazyBankOld.Value;

    public static (string Private, string Public) BankNew => LazyBankNew.Value;

    /// <summary>A ring signing with <paramref name="signer"/> and trusting the given public keys, named k0, k1, … in order.</summary>
    public static GatewayKeyRing Ring((string Private, string Public) signer, TimeProvider? time = null, params string[] trusted)
        => GatewayKeyRing.Create(Options(signer.Private, trusted), time);

    public static GatewayKeyRingOptions Options(string privatePem, params string[] trusted)
    {
        var options = new GatewayKeyRingOptions { PrivateKeyPem = privatePem, PrivateKeyId = "ours-1" };
        for (var i = 0; i < trusted.Length; i++)
        {
            options.PeerPublicKeys.Add(new GatewayPublicKey { KeyId = "k" + i, Pem = trusted[i] });
        }

        return options;
    }

    private static (string Private, string Public) Generate()
    {
        using var rsa = RSA.Create(2048);
        return (rsa.ExportPkcs8PrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem());
    }
}

internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
