using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Server.Security.Internal;

/// <summary>What <see cref="ClientCertificateValidator"/> decided about one certificate.</summary>
/// <param name="PlatformId">The platform the certificate stands for, when accepted.</param>
/// <param name="Failure">Why it was refused, for the server's log only; the client gets a generic status message.</param>
internal readonly record struct ClientCertificateCheck(bool IsValid, string? PlatformId, string? Failure);

/// <summary>
/// The bank server's client-certificate rules from <see cref="ServerAuthenticationOptions"/>, applied by the shared
/// <see cref="PeerCertificateValidator"/>. The Kestrel handshake callback
/// (<see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/>) and <see cref="PlatformAuthenticationInterceptor"/>
/// both use this class, so a certificate the handshake accepts is one the interceptor accepts, for the same platform.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private readonly PeerCertificateValidator _validator;

    public ClientCertificateValidator(ServerAuthenticationOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var authorities = options.ClientCertificateCaPath is { Length: > 0 } caPath
            ? CertificateLoader.LoadPemCertificates(caPath)
            : [];
        _validator = new PeerCertificateValidator(options.PinnedClientCertificates, authorities, timeProvider);
        if (options.RequireClientCertificate && !IsConfigured)
        {
            throw new InvalidOperationException(
                "RequireClientCertificate is set but no certificate could ever pass: configure ClientCertificateCaPath or PinnedClientCertificates.");
        }
    }

    /// <summary>True when some certificate can be accepted: a CA or at least one pin is configured.</summary>
    public bool IsConfigured => _validator.IsConfigured;

    /// <inheritdoc cref="PeerCertificateValidator.Validate"/>
    public ClientCertificateCheck Validate(X509Certificate2 certificate, X509Chain? presented = null)
    {
        var check = _validator.Validate(certificate, presented);
        return new ClientCertificateCheck(check.IsValid, check.PeerId, check.Failure);
    }
}
