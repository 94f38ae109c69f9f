using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Tracking;

/// <summary>
/// The platform's durable record of submitted applications and of the bank callbacks already applied to them.
/// Implementations: <see cref="SqlitePlatformStore"/> (embedded, default) and <see cref="PostgresPlatformStore"/>
/// (several nodes). Call <see cref="MigrateAsync"/> before use.
/// </summary>
public interface IPlatformStore
{
    /// <summary>Creates or upgrades the schema to this library's version; safe to call on every start.</summary>
    /// <exception cref="InvalidOperationException">The database has a newer schema than this library knows.</exception>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The schema version the database holds; 0 when it was never migrated.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a newly submitted application. Idempotent: returns false and changes nothing when (bank, application id) is already stored.</summary>
    Task<bool> RecordSubmittedAsync(TrackedApplication application, CancellationToken cancellationToken = default);

    /// <summary>The application a bank holds under <paramref name="applicationId"/>, or null.</summary>
    Task<TrackedApplication?> GetAsync(string bankId, string applicationId, CancellationToken cancellationToken = default);

    /// <summary>Applications submitted in [<paramref name="submittedFrom"/>, <paramref name="submittedTo"/>), optionally of one bank, oldest first. Null bounds are open.</summary>
    Task<IReadOnlyList<TrackedApplication>> ListAsync(string? bankId = null, DateTimeOffset? submittedFrom = null, DateTimeOffset? submittedTo = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies one callback in a single write transaction, in the contract's order: the application must exist for
    /// the bank (else <see cref="ApplyEventOutcome.NotFound"/> or <see cref="ApplyEventOutcome.ForeignApplication"/>);
    /// an event id seen before is <see cref="ApplyEventOutcome.Duplicate"/> (same hash) or
    /// <see cref="ApplyEventOutcome.Conflict"/>; the sequence must be the last applied plus one; then
    /// <paramref name="transition"/> checks the state machine. Only then is <paramref name="handler"/> called, still
    /// inside the transaction, and the event and new state commit only after it returned.
    /// </summary>
    /// <param name="transition">Pure: computes the next state from the stored one, or refuses. May be called while a lock is held.</param>
    /// <param name="handler">Receives the stored and the next state. When it throws, nothing is written and the exception propagates.</param>
    Task<ApplyEventResult> ApplyEventAsync(
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken = default);
}

/// <summary>Which database backs the platform store.</summary>
public enum PlatformStoreKind
{
    /// <summary>An embedded SQLite file, <c>{DataDirectory}/connectorkit-platform.db</c>.</summary>
    Sqlite = 0,

    /// <summary>A PostgreSQL database shared by several nodes.</summary>
    PostgreSql = 1,
}

/// <summary>One step of an application's history: the state entered, when, and a note without personal data.</summary>
public sealed record TimelineStep(ApplicationState State, DateTimeOffset At, string Note);

/// <summary>A submitted application as the platform tracks it. Money is in minor units of CNY (fen).</summary>
public sealed record TrackedApplication
{
    public required string BankId { get; init; }

    public required string ApplicationId { get; init; }

    public required string CreditCode { get; init; }

    public required ProductType Product { get; init; }

    public required long RequestedAmountMinor { get; init; }

    public required ApplicationState State { get; init; }

    /// <summary>Set once the bank approved.</summary>
    public long? ApprovedAmountMinor { get; init; }

    public long DisbursedTotalMinor { get; init; }

    /// <summary>Number of the last paid tranche; 0 before the first.</summary>
    public int LastTranche { get; init; }

    /// <summary>Sequence of the last applied callback; 0 before the first.</summary>
    public ulong LastSequence { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When the bank approved or rejected (the event's occurred_at).</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>When the first tranche was paid (its paid_at).</summary>
    public DateTimeOffset? FirstMoneyAt { get; init; }

    /// <summary>SUBMITTED at submit time, then one step per applied callback at its occurred_at.</summary>
    public required IReadOnlyList<TimelineStep> Timeline { get; init; }
}

/// <summary>The identity of one callback, as the store deduplicates and orders it.</summary>
/// <param name="RequestHash">Hash of the whole request; an event id reused with another hash is a conflict.</param>
public sealed record IncomingEvent(string BankId, string EventId, string ApplicationId, ulong Sequence, byte[] RequestHash, DateTimeOffset ReceivedAt);

/// <summary>What the state machine decided about an event: the next state, or why it is refused.</summary>
public sealed record EventTransition(TrackedApplication? Next, string? Refusal)
{
    public static EventTransition Accept(TrackedApplication next) => new(next ?? throw new ArgumentNullException(nameof(next)), null);

    public static EventTransition Refuse(string reason) => new(null, reason);
}

/// <summary>How <see cref="IPlatformStore.ApplyEventAsync"/> ended.</summary>
public enum ApplyEventOutcome
{
    /// <summary>The handler ran and the event and new state are committed.</summary>
    Applied,

    /// <summary>The event id was applied before with an equal request; nothing ran.</summary>
    Duplicate,

    /// <summary>The event id was applied before with a different request.</summary>
    Conflict,

    /// <summary>No application of that id was submitted to any bank.</summary>
    NotFound,

    /// <summary>The application id belongs to another bank.</summary>
    ForeignApplication,

    /// <summary>The sequence is not the last applied plus one; see <see cref="ApplyEventResult.ExpectedSequence"/>.</summary>
    OutOfOrder,

    /// <summary>The state machine refused the event; see <see cref="ApplyEventResult.Refusal"/>.</summary>
    StateRefused,
}

/// <summary>The result of <see cref="IPlatformStore.ApplyEventAsync"/>.</summary>
/// <param name="Application">The state after the call (the stored one unless <see cref="ApplyEventOutcome.Applied"/>); null when not found.</param>
/// <param name="ExpectedSequence">The sequence the application expects next.</param>
public sealed record ApplyEventResult(ApplyEventOutcome Outcome, TrackedApplication? Application, ulong ExpectedSequence, string? Refusal = null);
