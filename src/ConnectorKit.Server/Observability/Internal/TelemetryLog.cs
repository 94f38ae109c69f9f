using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Observability.Internal;

// Method, status code and platform only: a status's detail text and the metadata may carry personal data.
internal static partial class TelemetryLog
{
    [LoggerMessage(1, LogLevel.Debug, "{Method} ended with {StatusCode} after {ElapsedMilliseconds:0.0} ms (platform {PlatformId}).")]
    public static partial void CallEnded(ILogger logger, string method, string statusCode, double elapsedMilliseconds, string platformId);
}
