using ConnectorKit.Grpc;
using ConnectorKit.Server.Security.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Server.Security;

/// <summary>
/// Establishes which platform is calling, before any handler runs, from the client certificate and/or the
/// <c>authorization: Bearer</c> token configured in <see cref="ServerAuthenticationOptions"/>; handlers read the result with
/// <see cref="PlatformIdentityExtensions.GetPlatformIdentity"/>.
/// </summary>
/// <remarks>
/// <para>Certificate: required when <see cref="ServerAuthenticationOptions.RequireClientCertificate"/>; when one is presented it must be
/// pinned or chain to the client CA. Token: required when <see cref="ServerAuthenticationOptions.BearerTokens"/> is not empty.
/// Both present: both must pass and name the same platform, else PERMISSION_DENIED. Nothing configured: anonymous,
/// <see cref="ServerAuthenticationOptions.DefaultPlatformId"/>. Missing or bad credentials: UNAUTHENTICATED.</para>
/// <para><c>grpc.health.v1</c> and <c>grpc.reflection</c> stay open: load balancers and orchestrators probe health without
/// platform credentials, and reflection describes only the public contract, no data. Their handlers get no identity.
/// A listener that requires client certificates still asks for one in the handshake.</para>
/// <para>Register it after <see cref="Observability.TelemetryInterceptor"/>, so refused calls are traced and counted too.</para>
/// </remarks>
public sealed class PlatformAuthenticationInterceptor : Interceptor
{
    private const string AuthorizationHeader = "authorization";
    private const string BearerPrefix = "Bearer ";

    private readonly ClientCertificateValidator _certificates;
    private readonly BearerTokenMatcher _tokens;
    private readonly bool _requireCertificate;
    private readonly string _defaultPlatformId;
    private readonly ILogger _logger;

    /// <exception cref="InvalidOperationException">The options cannot work: a certificate is required but neither a CA nor a pin is set, or a token or pin is malformed.</exception>
    public PlatformAuthenticationInterceptor(ServerAuthenticationOptions options, ILogger<PlatformAuthenticationInterceptor>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificates = new ClientCertificateValidator(options, timeProvider);
        _tokens = new BearerTokenMatcher(options.BearerTokens);
        _requireCertificate = options.RequireClientCertificate;
        _defaultPlatformId = options.DefaultPlatformId;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Reads <see cref="ConnectorKitServerOptions.Authentication"/>; the constructor dependency injection uses.</summary>
    [ActivatorUtilitiesConstructor]
    public PlatformAuthenticationInterceptor(IOptions<ConnectorKitServerOptions> options, ILogger<PlatformAuthenticationInterceptor> logger, TimeProvider? timeProvider = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.Authentication, logger, timeProvider)
    {
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    internal static bool IsOpenMethod(string method)
        => method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal)
        || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal);

    private void Authenticate(ServerCallContext context)
    {
        if (IsOpenMethod(context.Method))
        {
            return;
        }

        string? certificatePlatform = null;
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is not null && _certificates.IsConfigured)
        {
            var check = _certificates.Validate(certificate);
            if (!check.IsValid)
            {
                throw Refuse(context, StatusCode.Unauthenticated, "The client certificate is not accepted.", check.Failure!);
            }

            certificatePlatform = check.PlatformId;
        }
        else if (_requireCertificate)
        {
            throw Refuse(context, StatusCode.Unauthenticated, "A client certificate is required.", "no client certificate");
        }

        string? tokenPlatform = null;
        if (_tokens.IsConfigured)
        {
            tokenPlatform = AuthenticateToken(context);
        }

        if (certificatePlatform is not null && tokenPlatform is not null && !string.Equals(certificatePlatform, tokenPlatform, StringComparison.Ordinal))
        {
            throw Refuse(
                context,
                StatusCode.PermissionDenied,
                "The client certificate and the bearer token belong to different platforms.",
                $"certificate names platform {certificatePlatform}, token names platform {tokenPlatform}");
        }

        var identity = certificatePlatform is not null ? new PlatformIdentity(certificatePlatform, PlatformIdentity.CertificateMethod)
            : tokenPlatform is not null ? new PlatformIdentity(tokenPlatform, PlatformIdentity.BearerMethod)
            : new PlatformIdentity(_defaultPlatformId, PlatformIdentity.AnonymousMethod);
        context.SetPlatformIdentity(identity);
        SecurityLog.CallAuthenticated(_logger, context.Method, context.Peer, identity.PlatformId, identity.Method);
    }

    private string AuthenticateToken(ServerCallContext context)
    {
        string? header = null;
        var count = 0;
        foreach (var entry in context.RequestHeaders)
        {
            if (string.Equals(entry.Key, AuthorizationHeader, StringComparison.OrdinalIgnoreCase) && !entry.IsBinary)
            {
                header = entry.Value;
                count++;
            }
        }

        if (count == 0)
        {
            throw Refuse(context, StatusCode.Unauthenticated, "A bearer token is required in the authorization metadata.", "no authorization metadata");
        }

        if (count > 1)
        {
            throw Refuse(context, StatusCode.Unauthenticated, "Send exactly one authorization metadata entry.", $"{count} authorization metadata entries");
        }

        if (!header!.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.AsSpan(BearerPrefix.Length).Trim().IsEmpty)
        {
            throw Refuse(context, StatusCode.Unauthenticated, "The authorization metadata must be 'Bearer <token>'.", "authorization metadata is not a bearer token");
        }

        // The token itself never goes into a message or a log line, not even when it is unknown: it may be a real
        // token of another environment, or a secret pasted into the wrong field.
        return _tokens.Match(header[BearerPrefix.Length..].Trim())
            ?? throw Refuse(context, StatusCode.Unauthenticated, "The bearer token is not recognised.", "unknown bearer token");
    }

    private RpcException Refuse(ServerCallContext context, StatusCode statusCode, string message, string reason)
    {
        SecurityLog.CallRefused(_logger, context.Method, context.Peer, Observability.ConnectorKitServerTelemetry.StatusName(statusCode), reason);
        return new RpcException(new Status(statusCode, message));
    }
}
