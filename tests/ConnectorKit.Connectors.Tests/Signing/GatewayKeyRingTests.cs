using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.Tests.Signing;

public sealed class GatewayKeyRingTests
{
    private const string Text = "/notify?app_id=1&biz_content={}";

    [Fact]
    public void TryVerify_DuringRotation_OldAndNewKeysBothAcceptedAndNamed()
    {
        using var oldBank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var newBank = TestKeys.Ring(TestKeys.BankNew, null, TestKeys.Ours.Public);
        using var ours = GatewayKeyRing.Create(new GatewayKeyRingOptions
        {
            PrivateKeyPem = TestKeys.Ours.Private,
            PeerPublicKeys =
            {
                new GatewayPublicKey { KeyId = "bank-2026", Pem = TestKeys.BankNew.Public },
                new GatewayPublicKey { KeyId = "bank-2025", Pem = TestKeys.BankOld.Public },
            },
        });

        var byOld = ours.TryVerify(Text, oldBank.Sign(Text), out var oldId);
        var byNew = ours.TryVerify(Text, newBank.Sign(Text), out var newId);

        Assert.True(byOld);
        Assert.True(byNew);
        Assert.Equal("bank-2025", oldId);
        Assert.Equal("bank-2026", newId);
    }

    [Fact]
    public void TryVerify_SignedByRemovedKey_Refused()
    {
        using var oldBank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var afterRotation = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankNew.Public);

        var valid = afterRotation.TryVerify(Text, oldBank.Sign(Text), out var keyId);

        Assert.False(valid);
        Assert.Null(keyId);
    }

    [Fact]
    public void TryVerify_KeyPastItsNotAfter_RefusedWhileTheNewKeyStillVerifies()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        using var oldBank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var newBank = TestKeys.Ring(TestKeys.BankNew, null, TestKeys.Ours.Public);
        var options = TestKeys.Options(TestKeys.Ours.Private, TestKeys.BankNew.Public, TestKeys.BankOld.Public);
        options.PeerPublicKeys[1].NotAfter = clock.Now.AddHours(1);
        using var ours = GatewayKeyRing.Create(options, clock);
        var oldSignature = oldBank.Sign(Text);
        var beforeCutOver = ours.TryVerify(Text, oldSignature, out _);

        clock.Now = clock.Now.AddHours(2);
        var afterCutOver = ours.TryVerify(Text, oldSignature, out _);
        var newStill = ours.TryVerify(Text, newBank.Sign(Text), out _);

        Assert.True(beforeCutOver);
        Assert.False(afterCutOver);
        Assert.True(newStill);
    }

    [Fact]
    public void Create_PublicKeyGivenAsPrivateAndBadPeerPem_RefusedNamingBothSettings()
    {
        var options = TestKeys.Options(TestKeys.Ours.Public, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
        options.PeerPublicKeys.Add(new GatewayPublicKey { KeyId = "k0", Pem = TestKeys.BankOld.Public });

        var error = Assert.Throws<ArgumentException>(() => GatewayKeyRing.Create(options));

        Assert.Contains("PrivateKeyPem holds a 'PUBLIC KEY'", error.Message);
        Assert.Contains("PeerPublicKeys:0:Pem is not a readable RSA public key", error.Message);
        Assert.Contains("PeerPublicKeys:1:KeyId 'k0' is listed twice", error.Message);
        Assert.DoesNotContain("AAAA", error.Message);
    }

    [Fact]
    public void Create_NoBankKey_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => GatewayKeyRing.Create(TestKeys.Options(TestKeys.Ours.Private)));

        Assert.Contains("PeerPublicKeys needs at least one", error.Message);
    }

    [Fact]
    public void TryVerify_BankKeyAsCertificate_Verifies()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=bank-test gateway", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var bank = GatewayKeyRing.Create(TestKeys.Options(rsa.ExportPkcs8PrivateKeyPem(), TestKeys.Ours.Public));
        using var ours = TestKeys.Ring(TestKeys.Ours, null, certificate.ExportCertificatePem());

        var valid = ours.TryVerify(Text, bank.Sign(Text), out _);

        Assert.True(valid);
    }
}
