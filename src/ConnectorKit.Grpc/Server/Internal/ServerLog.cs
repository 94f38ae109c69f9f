using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Server.Internal;

internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Error, "Handler of {Method} threw an unexpected exception.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Ending {Method} after its deadline did not complete cleanly.")]
    public static partial void DeadlineCallbackFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Could not send the status of {Method}; the client is gone.")]
    public static partial void StatusNotSent(ILogger logger, string method, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Refused a {Method} request with content-type '{ContentType}'.")]
    public static partial void UnsupportedContentType(ILogger logger, string method, string? contentType);
}
