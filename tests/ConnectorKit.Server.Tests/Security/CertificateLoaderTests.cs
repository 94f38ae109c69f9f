using ConnectorKit.Grpc.Security;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Server.Tests.Security;

public sealed class CertificateLoaderTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public void LoadPemWithKey_SeparateKeyFile_CertificateWithItsKey()
    {
        using var loaded = CertificateLoader.LoadPemWithKey(certificates.ClientPemPath, certificates.ClientKeyPemPath);

        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(certificates.Client.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void LoadPemWithKey_KeyInTheCertificateFile_CertificateWithItsKey()
    {
        var combined = Path.Combine(certificates.PemDirectory, "combined.pem");
        File.WriteAllText(combined, File.ReadAllText(certificates.ClientPemPath) + "\n" + File.ReadAllText(certificates.ClientKeyPemPath));

        using var loaded = CertificateLoader.LoadPemWithKey(combined);

        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(certificates.Client.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void LoadPemCertificates_KeyOnlyFile_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => CertificateLoader.LoadPemCertificates(certificates.ClientKeyPemPath));
    }
}
