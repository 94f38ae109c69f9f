using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Grpc.Security;

/// <summary>Loads certificates from PEM files, the format platform and bank PKI teams exchange.</summary>
public static class CertificateLoader
{
    /// <summary>
    /// Loads a certificate with its private key. <paramref name="keyPath"/> null: the key is in <paramref name="certificatePath"/> too.
    /// Unencrypted PKCS#8, PKCS#1 (RSA) or SEC1 (EC) keys.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The file holds no certificate, no matching key, or an encrypted key.</exception>
    public static X509Certificate2 LoadPemWithKey(string certificatePath, string? keyPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        // A PEM import holds the key in an ephemeral form that SslStream cannot use on every platform (Windows);
        // a PKCS#12 round trip gives an ordinary key everywhere.
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Loads every certificate in a PEM file, e.g. a CA bundle.</summary>
    /// <exception cref="InvalidOperationException">The file holds no certificate.</exception>
    public static X509Certificate2Collection LoadPemCertificates(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        if (certificates.Count == 0)
        {
            throw new InvalidOperationException($"'{path}' holds no PEM certificate.");
        }

        return certificates;
    }
}
