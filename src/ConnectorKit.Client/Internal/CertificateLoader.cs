using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Client.Internal;

internal static class CertificateLoader
{
    public static X509Certificate2 LoadPemWithKey(string certificatePath, string? keyPath)
    {
        using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        // A PEM import holds an ephemeral key SslStream cannot use on every platform; a PKCS#12 round trip fixes that.
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }

    public static X509Certificate2Collection LoadPemCertificates(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0 ? certificates : throw new InvalidOperationException($"'{path}' holds no PEM certificate.");
    }
}
