using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Internal;

// Only the method and the status go into the log: metadata values and message contents may carry personal data.
internal static partial class GrpcClientLog
{
    [LoggerMessage(EventId = 1, EventName = "CallFailed", Level = LogLevel.Debug, Message = "gRPC call {Method} failed with status {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail, Exception? exception);
}
