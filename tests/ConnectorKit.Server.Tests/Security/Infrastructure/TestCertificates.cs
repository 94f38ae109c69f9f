using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Server.Tests.Security.Infrastructure;

/// <summary>
/// A throw-away PKI made at run time: a platform CA, a server certificate for localhost and 127.0.0.1 signed by it,
/// a valid client certificate, one from another CA, and an expired one.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string ClientPlatformId = "platform-a";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public TestCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        Authority = CreateAuthority("CN=ConnectorKit Test Platform CA", now);
        OtherAuthority = CreateAuthority("CN=Somebody Else's CA", now);
        Server = Issue(Authority, "CN=localhost", ServerAuthentication, now.AddMinutes(-5), now.AddDays(1), server: true);
        Client = Issue(Authority, $"CN={ClientPlatformId}, O=Test Credit Platform", ClientAuthentication, now.AddMinutes(-5), now.AddDays(1));
        OtherCaClient = Issue(OtherAuthority, $"CN={ClientPlatformId}", ClientAuthentication, now.AddMinutes(-5), now.AddDays(1));
        ExpiredClient = Issue(Authority, $"CN={ClientPlatformId}", ClientAuthentication, now.AddDays(-10), now.AddDays(-1));

        Directory.CreateDirectory(PemDirectory);
        WritePem(Authority, AuthorityPemPath);
        WritePem(Client, ClientPemPath, ClientKeyPemPath);
    }

    /// <summary>A private temporary directory, deleted with the fixture.</summary>
    public string PemDirectory { get; } = Path.Combine(Path.GetTempPath(), "ck-security-" + Guid.NewGuid().ToString("N"));

    public string AuthorityPemPath => Path.Combine(PemDirectory, "platform-ca.pem");

    public string ClientPemPath => Path.Combine(PemDirectory, "client.pem");

    public string ClientKeyPemPath => Path.Combine(PemDirectory, "client.key");

    public X509Certificate2 Authority { get; }

    public X509Certificate2 OtherAuthority { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 OtherCaClient { get; }

    public X509Certificate2 ExpiredClient { get; }

    public static string Sha256Thumbprint(X509Certificate2 certificate) => Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>Writes the certificate (and with <paramref name="keyPath"/>, its key) as PEM.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string? keyPath = null)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        if (keyPath is not null)
        {
            File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
    }

    public void Dispose()
    {
        Directory.Delete(PemDirectory, recursive: true);
        foreach (var certificate in new[] { Authority, OtherAuthority, Server, Client, OtherCaClient, ExpiredClient })
        {
            certificate.Dispose();
        }
    }

    private static X509Certificate2 CreateAuthority(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
        return Reload(certificate);
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, Oid usage, DateTimeOffset notBefore, DateTimeOffset notAfter, bool server = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, notBefore, notAfter, serial);
        using var withKey = certificate.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    // A PKCS#12 round trip gives a persisted-style key that SslStream can use on every platform, and keeps it exportable for PEM.
    private static X509Certificate2 Reload(X509Certificate2 certificate)
        => X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
