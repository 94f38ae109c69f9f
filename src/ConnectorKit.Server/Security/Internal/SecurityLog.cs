using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Security.Internal;

// Reasons name the failure and the certificate, never a token: a log line must be safe to ship to a shared collector.
internal static partial class SecurityLog
{
    [LoggerMessage(1, LogLevel.Warning, "Refused {Method} from {Peer} with {StatusCode}: {Reason}.")]
    public static partial void CallRefused(ILogger logger, string method, string peer, string statusCode, string reason);

    [LoggerMessage(2, LogLevel.Debug, "{Method} from {Peer} authenticated as platform {PlatformId} by {AuthenticationMethod}.")]
    public static partial void CallAuthenticated(ILogger logger, string method, string peer, string platformId, string authenticationMethod);

    [LoggerMessage(3, LogLevel.Warning, "Refused a client certificate in the TLS handshake: {Reason}.")]
    public static partial void HandshakeRefused(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "The platform channel to {Address} sends its bearer token over h2c, in clear text; use https outside a trusted network.")]
    public static partial void TokenOverPlaintext(ILogger logger, Uri address);
}
