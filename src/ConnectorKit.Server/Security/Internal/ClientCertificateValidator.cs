using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Server.Security.Internal;

/// <summary>What <see cref="ClientCertificateValidator"/> decided about one certificate.</summary>
/// <param name="PlatformId">The platform the certificate stands for, when accepted.</param>
/// <param name="Failure">Why it was refused, for the server's log only; the client gets a generic status message.</param>
internal readonly record struct ClientCertificateCheck(bool IsValid, string? PlatformId, string? Failure)
{
    public static ClientCertificateCheck Accepted(string platformId) => new(true, platformId, null);

    public static ClientCertificateCheck Refused(string failure) => new(false, null, failure);
}

/// <summary>
/// Decides whether a client certificate is acceptable and which platform it names. The Kestrel handshake callback
/// (<see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/>) and <see cref="PlatformAuthenticationInterceptor"/>
/// both use this class, so a certificate the handshake accepts is one the interceptor accepts, for the same platform.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private const string CommonNameOid = "2.5.4.3";
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authorities;
    private readonly Dictionary<string, string> _pins;
    private readonly TimeProvider _timeProvider;

    // Chain building costs far more than a call; Kestrel keeps one certificate instance per connection,
    // so caching by instance checks each connection once and forgets it with the connection.
    private readonly ConditionalWeakTable<X509Certificate2, StrongBox<ClientCertificateCheck>> _chainResults = new();

    public ClientCertificateValidator(ServerAuthenticationOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _authorities = options.ClientCertificateCaPath is { Length: > 0 } caPath
            ? CertificateLoader.LoadPemCertificates(caPath)
            : [];
        _pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (thumbprint, platformId) in options.PinnedClientCertificates)
        {
            if (string.IsNullOrWhiteSpace(platformId))
            {
                throw new InvalidOperationException($"Pinned client certificate {thumbprint} has no platform id.");
            }

            _pins[NormalizeThumbprint(thumbprint)] = platformId;
        }

        if (options.RequireClientCertificate && !IsConfigured)
        {
            throw new InvalidOperationException(
                "RequireClientCertificate is set but no certificate could ever pass: configure ClientCertificateCaPath or PinnedClientCertificates.");
        }
    }

    /// <summary>True when some certificate can be accepted: a CA or at least one pin is configured.</summary>
    public bool IsConfigured => _authorities.Count > 0 || _pins.Count > 0;

    /// <summary>
    /// Accepts a certificate that is within its validity dates and either pinned by SHA-256 thumbprint or chained to
    /// the configured CA (custom root trust, no revocation fetch, client-authentication usage, not itself a CA).
    /// </summary>
    /// <param name="presented">Intermediates the client sent in the handshake, if any.</param>
    public ClientCertificateCheck Validate(X509Certificate2 certificate, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return ClientCertificateCheck.Refused($"certificate {Describe(certificate)} is not valid before {certificate.NotBefore.ToUniversalTime():u}");
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return ClientCertificateCheck.Refused($"certificate {Describe(certificate)} expired at {certificate.NotAfter.ToUniversalTime():u}");
        }

        var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_pins.TryGetValue(thumbprint, out var pinnedPlatform))
        {
            return ClientCertificateCheck.Accepted(pinnedPlatform);
        }

        if (_authorities.Count == 0)
        {
            return ClientCertificateCheck.Refused($"certificate {Describe(certificate)} is not pinned and no client CA is configured");
        }

        if (_chainResults.TryGetValue(certificate, out var cached))
        {
            return cached.Value;
        }

        var result = ValidateChain(certificate, presented, now);
        _chainResults.AddOrUpdate(certificate, new StrongBox<ClientCertificateCheck>(result));
        return result;
    }

    internal static string NormalizeThumbprint(string thumbprint)
    {
        var hex = new string([.. thumbprint.Where(Uri.IsHexDigit)]).ToUpperInvariant();
        if (hex.Length != 64)
        {
            throw new InvalidOperationException($"Pinned client certificate '{thumbprint}' is not a SHA-256 thumbprint (64 hex digits).");
        }

        return hex;
    }

    private ClientCertificateCheck ValidateChain(X509Certificate2 certificate, X509Chain? presented, DateTime now)
    {
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            return ClientCertificateCheck.Refused($"certificate {Describe(certificate)} is a CA certificate");
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_authorities);

        // Private platform CAs rarely publish CRLs, and fetching one inside a handshake would let a slow
        // URL stall every connection; revocation is done by rotating the CA or removing a pin.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthenticationOid));
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    policy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!chain.Build(certificate))
        {
            var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct();
            return ClientCertificateCheck.Refused($"certificate {Describe(certificate)} does not chain to the client CA ({string.Join(", ", problems)})");
        }

        var commonName = GetCommonName(certificate);
        return string.IsNullOrWhiteSpace(commonName)
            ? ClientCertificateCheck.Refused($"certificate {Describe(certificate)} has no subject CN to name the platform")
            : ClientCertificateCheck.Accepted(commonName);
    }

    private static string? GetCommonName(X509Certificate2 certificate)
    {
        // Display order puts the most specific RDN first, so with several CNs the leaf's own one wins.
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }

    private static string Describe(X509Certificate2 certificate) => $"'{certificate.Subject}' (SHA-256 {Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256))})";
}
