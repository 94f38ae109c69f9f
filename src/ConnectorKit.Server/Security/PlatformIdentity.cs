using ConnectorKit.Grpc;

namespace ConnectorKit.Server.Security;

/// <summary>
/// The platform a call comes from, as <see cref="PlatformAuthenticationInterceptor"/> established it.
/// <see cref="Method"/> is <c>certificate</c> when a client certificate named the platform (a bearer token may have confirmed it),
/// <c>bearer</c> when only a token did, and <c>anonymous</c> when authentication is off.
/// </summary>
public sealed record PlatformIdentity(string PlatformId, string Method)
{
    public const string BearerMethod = "bearer";

    public const string CertificateMethod = "certificate";

    public const string AnonymousMethod = "anonymous";
}

/// <summary>Reads the caller's <see cref="PlatformIdentity"/> in a handler.</summary>
public static class PlatformIdentityExtensions
{
    private static readonly object Key = typeof(PlatformIdentity);

    /// <summary>
    /// The identity <see cref="PlatformAuthenticationInterceptor"/> stored for this call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The interceptor did not run for this call (not registered, or an open health/reflection method).</exception>
    public static PlatformIdentity GetPlatformIdentity(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TryGetPlatformIdentity(context)
            ?? throw new InvalidOperationException(
                $"No platform identity for {context.Method}: add PlatformAuthenticationInterceptor to the gRPC server's interceptors.");
    }

    internal static PlatformIdentity? TryGetPlatformIdentity(this ServerCallContext context)
        => context.UserState.TryGetValue(Key, out var value) ? value as PlatformIdentity : null;

    internal static void SetPlatformIdentity(this ServerCallContext context, PlatformIdentity identity)
        => context.UserState[Key] = identity;
}
