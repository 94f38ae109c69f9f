using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Outbox.Internal;

/// <summary>The dispatcher's log messages. They name messages by id, application, sequence and event id, never by payload.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(1, LogLevel.Information, "Outbox dispatcher {Owner} started.")]
    public static partial void Started(ILogger logger, string owner);

    [LoggerMessage(2, LogLevel.Information, "No platform address is configured (ConnectorKit:Server:Platform:Address); callbacks wait in the outbox.")]
    public static partial void NoAddress(ILogger logger);

    [LoggerMessage(3, LogLevel.Debug, "Delivered outbox message {MessageId} ({Method}, application {ApplicationId}, sequence {Sequence}, event {EventId}).")]
    public static partial void Delivered(ILogger logger, long messageId, string method, string applicationId, long sequence, string eventId);

    [LoggerMessage(4, LogLevel.Warning, "Outbox message {MessageId} ({Method}, application {ApplicationId}, sequence {Sequence}, event {EventId}) failed attempt {Attempt} with {Status}: {Detail}. Next attempt in {Delay}.")]
    public static partial void WillRetry(ILogger logger, long messageId, string method, string applicationId, long sequence, string eventId, int attempt, string status, string detail, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Error, "Outbox message {MessageId} ({Method}, application {ApplicationId}, sequence {Sequence}, event {EventId}) failed attempt {Attempt} with {Status}: {Detail}. This is a configuration fault (credentials or platform address); retrying in {Delay}.")]
    public static partial void ConfigurationFault(ILogger logger, long messageId, string method, string applicationId, long sequence, string eventId, int attempt, string status, string detail, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Information, "Outbox message {MessageId} ({Method}, application {ApplicationId}, sequence {Sequence}, event {EventId}) was refused with {Status}: {Detail}. Parked in the dead letters; later events of the application wait until it is redriven.")]
    public static partial void DeadLettered(ILogger logger, long messageId, string method, string applicationId, long sequence, string eventId, string status, string detail);

    [LoggerMessage(7, LogLevel.Error, "Outbox round failed; trying again in {Delay}.")]
    public static partial void RoundFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(8, LogLevel.Error, "Could not record the outcome of outbox message {MessageId} ({Status}); its lease will expire and it will be delivered again.")]
    public static partial void RecordFailed(ILogger logger, Exception exception, long messageId, string status);

    [LoggerMessage(9, LogLevel.Information, "Outbox dispatcher {Owner} stopped.")]
    public static partial void Stopped(ILogger logger, string owner);
}
