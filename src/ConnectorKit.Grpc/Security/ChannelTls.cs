using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Grpc.Security;

/// <summary>TLS settings of a client channel: a client certificate for mutual TLS and a private CA to trust.</summary>
public static class ChannelTls
{
    /// <summary>
    /// Sends <paramref name="clientCertificate"/> (when given) in every handshake and, when <paramref name="trustedAuthorities"/>
    /// are given, trusts server certificates that chain to them (the host name is still checked).
    /// Use from <see cref="GrpcChannelOptions.ConfigureSocketsHttpHandler"/>: <c>h => ChannelTls.Configure(h.SslOptions, cert, cas)</c>.
    /// </summary>
    public static void Configure(SslClientAuthenticationOptions ssl, X509Certificate2? clientCertificate, X509Certificate2Collection? trustedAuthorities)
    {
        ArgumentNullException.ThrowIfNull(ssl);
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];

            // The default selection sends a certificate only when its issuer is in the server's list of acceptable CAs,
            // which many servers leave empty; there is exactly one certificate to send, so always send it.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        if (trustedAuthorities is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            };
            policy.CustomTrustStore.AddRange(trustedAuthorities);
            ssl.CertificateChainPolicy = policy;
        }
    }
}
