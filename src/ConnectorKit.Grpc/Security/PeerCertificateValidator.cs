using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnectorKit.Grpc.Security;

/// <summary>What <see cref="PeerCertificateValidator"/> decided about one client certificate.</summary>
/// <param name="PeerId">Who the certificate stands for (a platform, a bank), when accepted.</param>
/// <param name="Failure">Why it was refused, for the server's log only; callers get a generic status message.</param>
public readonly record struct PeerCertificateCheck(bool IsValid, string? PeerId, string? Failure)
{
    public static PeerCertificateCheck Accepted(string peerId) => new(true, peerId, null);

    public static PeerCertificateCheck Refused(string failure) => new(false, null, failure);
}

/// <summary>
/// Decides whether a client certificate is acceptable and whom it names: within its validity dates, and either pinned
/// by SHA-256 thumbprint (→ the pin's id) or chained to one of the given CAs (custom root trust, no revocation fetch,
/// client-authentication usage, not itself a CA; → its subject CN). Shared by the bank server's handshake check and
/// interceptor and by the platform's callback receiver, so both sides trust certificates by the same rules.
/// </summary>
public sealed class PeerCertificateValidator
{
    private const string CommonNameOid = "2.5.4.3";
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authorities;
    private readonly Dictionary<string, string> _pins = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    // Chain building costs far more than a call; Kestrel keeps one certificate instance per connection,
    // so caching by instance checks each connection once and forgets it with the connection.
    private readonly ConditionalWeakTable<X509Certificate2, StrongBox<PeerCertificateCheck>> _chainResults = new();

    /// <param name="pinnedThumbprints">SHA-256 thumbprint (hex, colons and case ignored) → peer id.</param>
    /// <param name="authorities">CAs whose certificates are accepted, the peer id being the subject CN; may be empty.</param>
    /// <exception cref="InvalidOperationException">A pin is not a SHA-256 thumbprint or has no peer id.</exception>
    public PeerCertificateValidator(IReadOnlyDictionary<string, string> pinnedThumbprints, X509Certificate2Collection? authorities, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pinnedThumbprints);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _authorities = authorities ?? [];
        foreach (var (thumbprint, peerId) in pinnedThumbprints)
        {
            if (string.IsNullOrWhiteSpace(peerId))
            {
                throw new InvalidOperationException($"Pinned client certificate {thumbprint} has no id.");
            }

            _pins[NormalizeThumbprint(thumbprint)] = peerId;
        }
    }

    /// <summary>True when some certificate can be accepted: a CA or at least one pin is configured.</summary>
    public bool IsConfigured => _authorities.Count > 0 || _pins.Count > 0;

    /// <param name="presented">Intermediates the client sent in the handshake, if any.</param>
    public PeerCertificateCheck Validate(X509Certificate2 certificate, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return PeerCertificateCheck.Refused($"certificate {Describe(certificate)} is not valid before {certificate.NotBefore.ToUniversalTime():u}");
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            return PeerCertificateCheck.Refused($"certificate {Describe(certificate)} expired at {certificate.NotAfter.ToUniversalTime():u}");
        }

        var thumbprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_pins.TryGetValue(thumbprint, out var pinned))
        {
            return PeerCertificateCheck.Accepted(pinned);
        }

        if (_authorities.Count == 0)
        {
            return PeerCertificateCheck.Refused($"certificate {Describe(certificate)} is not pinned and no client CA is configured");
        }

        if (_chainResults.TryGetValue(certificate, out var cached))
        {
            return cached.Value;
        }

        var result = ValidateChain(certificate, presented, now);
        _chainResults.AddOrUpdate(certificate, new StrongBox<PeerCertificateCheck>(result));
        return result;
    }

    /// <summary>64 upper-case hex digits.</summary>
    /// <exception cref="InvalidOperationException">Not a SHA-256 thumbprint.</exception>
    public static string NormalizeThumbprint(string thumbprint)
    {
        var hex = new string([.. thumbprint.Where(Uri.IsHexDigit)]).ToUpperInvariant();
        if (hex.Length != 64)
        {
            throw new InvalidOperationException($"Pinned client certificate '{thumbprint}' is not a SHA-256 thumbprint (64 hex digits).");
        }

        return hex;
    }

    private PeerCertificateCheck ValidateChain(X509Certificate2 certificate, X509Chain? presented, DateTime now)
    {
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            return PeerCertificateCheck.Refused($"certificate {Describe(certificate)} is a CA certificate");
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_authorities);

        // Private CAs rarely publish CRLs, and fetching one inside a handshake would let a slow URL stall every
        // connection; revocation is done by rotating the CA or removing a pin.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
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
            return PeerCertificateCheck.Refused($"certificate {Describe(certificate)} does not chain to the client CA ({string.Join(", ", problems)})");
        }

        var commonName = GetCommonName(certificate);
        return string.IsNullOrWhiteSpace(commonName)
            ? PeerCertificateCheck.Refused($"certificate {Describe(certificate)} has no subject CN to name the peer")
            : PeerCertificateCheck.Accepted(commonName);
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
