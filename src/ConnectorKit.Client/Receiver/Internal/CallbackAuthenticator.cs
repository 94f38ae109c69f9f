using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>
/// Which bank is calling: a pinned or CA-issued client certificate and/or a bearer token (compared in constant time).
/// Both present: they must name the same bank. The same rules as the bank server's PlatformAuthenticationInterceptor,
/// applied by the receiver itself so other gRPC services in the platform's host are not affected.
/// </summary>
internal sealed class CallbackAuthenticator
{
    private const string BearerPrefix = "Bearer ";

    private readonly BearerTokenMatcher _tokens;
    private readonly PeerCertificateValidator _certificates;
    private readonly bool _allowAnonymous;

    /// <exception cref="InvalidOperationException">The options cannot work (empty token or bank id, malformed pin, unreadable CA, nothing configured).</exception>
    public CallbackAuthenticator(ConnectorKitCallbackOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowAnonymous = options.AllowUnauthenticatedCallers;
        _tokens = new BearerTokenMatcher(options.BearerTokens);
        X509Certificate2Collection authorities = [];
        if (options.ClientCertificateCaPath is { Length: > 0 } caPath)
        {
            if (!File.Exists(caPath))
            {
                throw new InvalidOperationException($"ClientCertificateCaPath '{caPath}' does not exist.");
            }

            authorities = CertificateLoader.LoadPemCertificates(caPath);
        }

        _certificates = new PeerCertificateValidator(options.PinnedClientCertificates, authorities, timeProvider);
        if (!IsConfigured && !_allowAnonymous)
        {
            throw new InvalidOperationException(
                "The callback receiver has no way to authenticate banks: configure BearerTokens, PinnedClientCertificates or ClientCertificateCaPath (or AllowUnauthenticatedCallers for development).");
        }
    }

    public bool IsConfigured => _tokens.IsConfigured || _certificates.IsConfigured;

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
        if (certificate is not null && _certificates.IsConfigured)
        {
            certificateBank = ValidateCertificate(certificate) ?? throw Unauthenticated("The client certificate is not accepted.");
        }

        string? tokenBank = null;
        if (_tokens.IsConfigured)
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
                tokenBank = _tokens.Match(value[BearerPrefix.Length..].Trim()) ?? throw Unauthenticated("The bearer token is not recognised.");
            }
        }

        if (certificateBank is not null && tokenBank is not null && !string.Equals(certificateBank, tokenBank, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "The client certificate and the bearer token belong to different banks."));
        }

        return certificateBank ?? tokenBank ?? throw Unauthenticated(_tokens.IsConfigured ? "A bearer token is required." : "A client certificate is required.");
    }

    internal string? ValidateCertificate(X509Certificate2 certificate) => _certificates.Validate(certificate).PeerId;

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));
}
