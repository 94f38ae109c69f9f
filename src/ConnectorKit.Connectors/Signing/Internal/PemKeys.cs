using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Connectors.Signing.Internal;

/// <summary>Reads RSA keys from PEM text, with messages that name the faulty setting and never echo key material.</summary>
internal static class PemKeys
{
    private static readonly string[] PrivateLabels = ["PRIVATE KEY", "RSA PRIVATE KEY"];
    private static readonly string[] PublicLabels = ["PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE"];

    public static List<string> Validate(GatewayKeyRingOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PrivateKeyId))
        {
            problems.Add("PrivateKeyId must not be empty.");
        }

        if (Label(options.PrivateKeyPem) is not { } privateLabel)
        {
            problems.Add("PrivateKeyPem must hold a PEM RSA private key (-----BEGIN PRIVATE KEY-----).");
        }
        else if (!PrivateLabels.Contains(privateLabel, StringComparer.Ordinal))
        {
            problems.Add($"PrivateKeyPem holds a '{privateLabel}', not a private key.");
        }
        else if (!CanLoad(() => LoadPrivate(options.PrivateKeyPem)))
        {
            problems.Add("PrivateKeyPem is not a readable RSA private key.");
        }

        if (options.PeerPublicKeys is null || options.PeerPublicKeys.Count == 0)
        {
            problems.Add("PeerPublicKeys needs at least one of the bank's public keys.");
            return problems;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.PeerPublicKeys.Count; i++)
        {
            var key = options.PeerPublicKeys[i];
            var name = $"PeerPublicKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.KeyId))
            {
                problems.Add($"{name}:KeyId must not be empty.");
            }
            else if (!seen.Add(key.KeyId))
            {
                problems.Add($"{name}:KeyId '{key.KeyId}' is listed twice.");
            }

            var label = Label(key.Pem);
            if (label is null || !PublicLabels.Contains(label, StringComparer.Ordinal))
            {
                problems.Add($"{name}:Pem must hold a PEM public key or certificate (-----BEGIN PUBLIC KEY-----).");
            }
            else if (!CanLoad(() => LoadPublic(key.Pem)))
            {
                problems.Add($"{name}:Pem is not a readable RSA public key.");
            }
        }

        return problems;
    }

    public static RSA LoadPrivate(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public static RSA LoadPublic(string pem)
    {
        if (Label(pem) == "CERTIFICATE")
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() ?? throw new CryptographicException("The certificate holds no RSA key.");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static string? Label(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem) || !PemEncoding.TryFind(pem, out var fields))
        {
            return null;
        }

        return pem[fields.Label];
    }

    private static bool CanLoad(Func<RSA> load)
    {
        try
        {
            load().Dispose();
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
