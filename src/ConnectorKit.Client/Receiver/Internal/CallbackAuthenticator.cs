using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ConnectorKit.Grpc;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>
/// Which bank is calling: a pinned or CA-issued client certificate and/or a bearer token (compared in constant time).
/// Both present: they must name the same bank. The same rules as the bank server's PlatformAuthenticationInterceptor,
/// applied by the receiver itself so other gRPC services in the platform's host are not affected.
/// </summary>
internal sealed class CallbackAuthenticator
{
    private const string BearerPrefix = "Bearer ";
    private const string CommonNameOid = "2.5.4.3";
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly (byte[] Hash, string BankId)[] _tokens;
    private readonly Dictionary<string, string> _pins = new(StringComparer.Ordinal);
    private readonly X509Certificate2Collection _authorities = [];
    private readonly bool _allowAnonymous;
    private readonly TimeProvider _time;

    /// <exception cref="InvalidOperationException">The options cannot work (empty token or bank id, malformed pin, unreadable CA, nothing configured).</exception>
    public CallbackAuthenticator(ConnectorKitCallbackOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? TimeProvider.System;
        _allowAnonymous = options.AllowUnauthenticatedCallers;
        _tokens = [.. options.BearerTokens.Select(entry =>
            string.IsNullOrWhiteSpace(entry.Key) || string.IsNullOrWhiteSpace(entry.Value)
                ? throw new InvalidOperationException("BearerTokens holds an empty token or bank id.")
                : (Hash(entry.Key), entry.Value))];
        foreach (var (thumbprint, bankId) in options.PinnedClientCertificates)
        {
            var hex = new string([.. thumbprint.Where(Uri.IsHexDigit)]).ToUpperInvariant();
            if (hex.Length != 64 || string.IsNullOrWhiteSpace(bankId))
            {
                throw new InvalidOperationException($"Pinned client certificate '{thumbprint}' needs a SHA-256 thumbprint (64 hex digits) and a bank id.");
            }

            _pins[hex] = bankId;
        }

        if (options.ClientCertificateCaPath is { Length: > 0 } caPath)
        {
            if (!File.Exists(caPath))
            {
                throw new InvalidOperationException($"ClientCertificateCaPath '{caPath}' does not exist.");
            }

            _authorities.ImportFromPemFile(caPath);
            if (_authorities.Count == 0)
            {
                throw new InvalidOperationException($"ClientCertificateCaPath '{caPath}' holds no PEM certificate.");
            }
        }

        if (!IsConfigured && !_allowAnonymous)
        {
            throw new InvalidOperationException(
                "The callback receiver has no way to authenticate banks: configure BearerTokens, PinnedClientCertificates or ClientCertificateCaPath (or AllowUnauthenticatedCallers for development).");
        }
    }

    public bool IsConfigured => _tokens.Length > 0 || _pins.Count > 0 || _authorities.Count > 0;

    /// <summary>The calling bank's id, or null when anonymous callers are allowed and no credentials are configured.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED for missing or invalid credentials; PERMISSION_DENIED when certificate and token disagree.</exception>
    public string? Authenticate(ServerCallContext context)
    {
        if (!IsConfigured)
        {
            return null;
        }

        string? certificateBank = null;
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is not null && (_pins.Count > 0 || _authorities.Count > 0))
        {
            certificateBank = ValidateCertificate(certificate) ?? throw Unauthenticated("The client certificate is not accepted.");
        }

        string? tokenBank = null;
        if (_tokens.Length > 0)
        {
            var headers = context.RequestHeaders.Where(e => string.Equals(e.Key, "authorization", StringComparison.OrdinalIgnoreCase) && !e.IsBinary).ToList();
            if (headers.Count == 0)
            {
                // A certificate alone is enough when one is configured and was presented.
                if (certificateBank is null)
                {
                    throw Unauthenticated("A bearer token is required in the authorization metadata.");
                }
            }
            else if (headers.Count > 1)
            {
                throw Unauthenticated("Send exactly one authorization metadata entry.");
            }
            else
            {
                var value = headers[0].Value;
                if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || value.AsSpan(BearerPrefix.Length).Trim().IsEmpty)
                {
                    throw Unauthenticated("The authorization metadata must be 'Bearer <token>'.");
                }

                // The token never appears in a message or a log line.
                tokenBank = Match(value[BearerPrefix.Length..].Trim()) ?? throw Unauthenticated("The bearer token is not recognised.");
            }
        }

        if (certificateBank is not null && tokenBank is not null && !string.Equals(certificateBank, tokenBank, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The client certificate and the bearer token belong to different banks."));
        }

        return certificateBank ?? tokenBank ?? throw Unauthenticated(_tokens.Length > 0 ? "A bearer token is required." : "A client certificate is required.");
    }

    internal string? ValidateCertificate(X509Certificate2 certificate)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return null;
        }

        if (_pins.TryGetValue(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), out var pinned))
        {
            return pinned;
        }

        if (_authorities.Count == 0 || certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);

        // Private CAs rarely publish CRLs; revocation is done by rotating the CA or removing a pin.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        if (!chain.Build(certificate))
        {
            return null;
        }

        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid && !string.IsNullOrWhiteSpace(rdn.GetSingleElementValue()))
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }

    private string? Match(string token)
    {
        // Fixed-length hashes hide the configured tokens' lengths; visiting every entry hides which one matched.
        var presented = Hash(token);
        string? bankId = null;
        foreach (var (hash, candidate) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                bankId = candidate;
            }
        }

        return bankId;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));
}
