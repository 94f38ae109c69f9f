using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Client.Tests.Receiver;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Client.Tests.Security;

/// <summary>
/// <see cref="TestCertificates"/> (CA, server certificate for 127.0.0.1, CA PEM file) plus banks' client certificates:
/// bank A and bank B signed by the CA, and one named bank A from another CA.
/// </summary>
public sealed class BankCertificates : IDisposable
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public BankCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        BankA = Issue(Pki.Authority, $"CN={CallbackHost.BankA}, O=Bank A", now);
        BankB = Issue(Pki.Authority, $"CN={CallbackHost.BankB}, O=Bank B", now);
        OtherCaBankA = Issue(Pki.OtherAuthority, $"CN={CallbackHost.BankA}", now);
    }

    public TestCertificates Pki { get; } = new();

    public X509Certificate2 BankA { get; }

    public X509Certificate2 BankB { get; }

    public X509Certificate2 OtherCaBankA { get; }

    public void Dispose()
    {
        BankA.Dispose();
        BankB.Dispose();
        OtherCaBankA.Dispose();
        Pki.Dispose();
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuthentication], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, now.AddMinutes(-5), now.AddDays(1), serial);
        using var withKey = certificate.CopyWithPrivateKey(key);

        // A PKCS#12 round trip gives a key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
