using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Storage;

/// <summary>One enterprise's credit profile from one source, as stored.</summary>
/// <param name="Payload">The serialized <see cref="CreditProfile"/>.</param>
public sealed record StoredProfile(
    string CreditCode,
    string Source,
    long Version,
    string ConsentId,
    DateTimeOffset ConsentExpiresAt,
    byte[] Payload,
    DateTimeOffset ReceivedAt);

public enum ProfileUpsertOutcome
{
    Applied,
    Stale,
}

/// <summary>What an upsert did, and the version stored afterwards.</summary>
public sealed record ProfileUpsertResult(ProfileUpsertOutcome Outcome, long StoredVersion);

/// <summary>What a revocation did.</summary>
public sealed record RevokeResult(bool AlreadyRevoked, int ProfilesDeleted);

/// <summary>An application to insert.</summary>
/// <param name="RequestHash">SHA-256 of the canonical submit request, to tell a retry from a different request with the same id.</param>
/// <param name="Payload">The serialized <see cref="Application"/>.</param>
/// <param name="Response">The serialized first <see cref="SubmitApplicationResponse"/>, returned again to retries.</param>
public sealed record NewApplication(
    string ApplicationId,
    string PlatformId,
    string RequestId,
    byte[] RequestHash,
    string CreditCode,
    ApplicationState State,
    byte[] Payload,
    byte[] Response,
    DateTimeOffset CreatedAt);

/// <summary>An application as stored.</summary>
/// <param name="LastSequence">The sequence of its last callback event; 0 before the first.</param>
public sealed record StoredApplication(
    string ApplicationId,
    string PlatformId,
    string RequestId,
    byte[] RequestHash,
    string CreditCode,
    ApplicationState State,
    long LastSequence,
    byte[] Payload,
    byte[] Response,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The answer of <see cref="IApplicationStore.CreateApplicationAsync"/>.</summary>
/// <param name="Created">True when this call inserted it.</param>
/// <param name="SameRequest">When not created: whether the stored request hash equals the new one.</param>
public sealed record CreateApplicationResult(bool Created, bool SameRequest, StoredApplication Application);

/// <summary>A state change decided by the caller of <see cref="IApplicationStore.UpdateApplicationAsync"/>.</summary>
/// <param name="Events">Callback messages to enqueue, with consecutive sequences after the application's last one.</param>
public sealed record ApplicationUpdate(ApplicationState State, byte[] Payload, IReadOnlyList<NewOutboxMessage> Events, DateTimeOffset At);

/// <summary>The outcome of <see cref="IApplicationStore.UpdateApplicationForSignalAsync"/>.</summary>
/// <param name="Application">The application as stored afterwards, or null if unknown.</param>
/// <param name="Duplicate">A signal key was already stored; nothing changed.</param>
public sealed record SignalledUpdate(StoredApplication? Application, bool Duplicate);

/// <summary>A callback to enqueue.</summary>
/// <param name="Method">The full gRPC method, e.g. <c>/connectorkit.v1.LoanEventsService/NotifyDisbursement</c>.</param>
/// <param name="Payload">The serialized request message.</param>
public sealed record NewOutboxMessage(string EventId, long Sequence, string Method, byte[] Payload);

/// <summary>A callback in the outbox.</summary>
public sealed record OutboxMessage(
    long Id,
    string ApplicationId,
    long Sequence,
    string EventId,
    string Method,
    byte[] Payload,
    DateTimeOffset CreatedAt,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? LastError);

/// <summary>A callback the platform refused for good, with the reason.</summary>
public sealed record DeadLetter(long Id, OutboxMessage Message, string Reason, DateTimeOffset ParkedAt);

/// <summary>Outbox depth (every message not yet acknowledged), those among them already tried and failed, and dead letters.</summary>
public sealed record OutboxStats(long Pending, long Retrying, long DeadLetters, DateTimeOffset? OldestPendingCreatedAt);
