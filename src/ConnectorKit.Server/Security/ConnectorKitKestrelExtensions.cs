using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Server.Security.Internal;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectorKit.Server.Security;

/// <summary>Configures a Kestrel endpoint to serve the ConnectorKit contract over TLS.</summary>
public static class ConnectorKitKestrelExtensions
{
    /// <summary>
    /// HTTP/2 over TLS (ALPN <c>h2</c>) with <paramref name="serverCertificate"/>. Client certificates are required when
    /// <see cref="ServerAuthenticationOptions.RequireClientCertificate"/>, otherwise allowed when a client CA or pin is configured,
    /// otherwise not requested. A presented certificate that is neither pinned nor chained to the client CA, or is outside its
    /// validity dates, fails the handshake; <see cref="PlatformAuthenticationInterceptor"/> applies the same rules per call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The options cannot work (see <see cref="PlatformAuthenticationInterceptor"/>).</exception>
    public static ListenOptions UseConnectorKitTls(this ListenOptions listen, X509Certificate2 serverCertificate, ServerAuthenticationOptions auth)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(serverCertificate);
        ArgumentNullException.ThrowIfNull(auth);
        if (!serverCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate has no private key.", nameof(serverCertificate));
        }

        var services = listen.ApplicationServices;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(ConnectorKitKestrelExtensions).FullName!) ?? NullLogger.Instance;
        var validator = new ClientCertificateValidator(auth, services.GetService<TimeProvider>());

        listen.Protocols = HttpProtocols.Http2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,

            // Asking for a certificate nothing can trust would only turn away clients that happen to send one.
            ClientCertificateMode = auth.RequireClientCertificate ? ClientCertificateMode.RequireCertificate
                : validator.IsConfigured ? ClientCertificateMode.AllowCertificate
                : ClientCertificateMode.NoCertificate,
            CheckCertificateRevocation = false,
            ClientCertificateValidation = (certificate, chain, _) =>
            {
                // The platform's CA is private, so the system's verdict (sslPolicyErrors) is always "untrusted root";
                // the validator's custom trust is the one that counts.
                var check = validator.Validate(certificate, chain);
                if (!check.IsValid)
                {
                    SecurityLog.HandshakeRefused(logger, check.Failure!);
                }

                return check.IsValid;
            },
        });
        return listen;
    }
}
