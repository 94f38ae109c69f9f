using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Storage;

/// <summary>
/// Everything the bank server keeps: credit profiles, consent revocations, applications and the callback
/// outbox. One implementation per database (SQLite embedded, PostgreSQL for several nodes); both pass the same
/// test suite. Every method is atomic: it commits all of its writes or none.
/// </summary>
public interface IConnectorKitStore : ICreditDataStore, IApplicationStore, IOutboxStore
{
    /// <summary>Creates or upgrades the schema to the version this library needs. Safe to call on every start and from several nodes.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The schema version now in the database.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);
}

/// <summary>Credit profiles and consent revocations.</summary>
public interface ICreditDataStore
{
    /// <summary>
    /// Stores the profile when its version is newer than the one stored for the same (credit code, source),
    /// otherwise reports it stale and changes nothing.
    /// </summary>
    Task<ProfileUpsertResult> UpsertProfileAsync(StoredProfile profile, CancellationToken cancellationToken = default);

    /// <summary>Upserts a batch in one transaction; one result per profile, in order. Later items see earlier ones of the same batch.</summary>
    Task<IReadOnlyList<ProfileUpsertResult>> UpsertProfilesAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken cancellationToken = default);

    Task<StoredProfile?> GetProfileAsync(string creditCode, string source, CancellationToken cancellationToken = default);

    /// <summary>All stored profiles of an enterprise, from every source.</summary>
    Task<IReadOnlyList<StoredProfile>> GetProfilesAsync(string creditCode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that a consent is withdrawn and deletes every profile received under it, in one transaction.
    /// Idempotent: a second call reports <see cref="RevokeResult.AlreadyRevoked"/> and deletes nothing more.
    /// </summary>
    Task<RevokeResult> RevokeConsentAsync(string consentId, string creditCode, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);

    Task<bool> IsConsentRevokedAsync(string consentId, CancellationToken cancellationToken = default);

    /// <summary>The enterprise a consent was given by, as far as this bank has seen it (a profile pushed under it, or its revocation); null when unseen.</summary>
    Task<string?> FindConsentCreditCodeAsync(string consentId, CancellationToken cancellationToken = default);

    /// <summary>The ids among <paramref name="consentIds"/> that were revoked, in one round trip (the bulk sync asks once per batch).</summary>
    Task<IReadOnlySet<string>> GetRevokedConsentsAsync(IReadOnlyCollection<string> consentIds, CancellationToken cancellationToken = default);
}

/// <summary>Applications, their idempotency keys and their state changes.</summary>
public interface IApplicationStore
{
    /// <summary>
    /// Inserts the application unless one with the same (platform, request id) exists; then returns that one
    /// and whether its request hash matches. Concurrent calls with the same key create exactly one application.
    /// </summary>
    Task<CreateApplicationResult> CreateApplicationAsync(NewApplication application, CancellationToken cancellationToken = default);

    Task<StoredApplication?> GetApplicationAsync(string applicationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the application with a write lock, lets <paramref name="update"/> decide, and writes the new state and
    /// the outbox messages in the same transaction. <paramref name="update"/> returning null changes nothing;
    /// throwing rolls everything back and rethrows. Returns the application as stored afterwards, or null if unknown.
    /// </summary>
    Task<StoredApplication?> UpdateApplicationAsync(string applicationId, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="UpdateApplicationAsync"/> for a change the bank signalled: when any of
    /// <paramref name="signalKeys"/> is already stored, nothing is called or changed and the result says Duplicate;
    /// otherwise the keys are stored in the same transaction as the change.
    /// </summary>
    Task<SignalledUpdate> UpdateApplicationForSignalAsync(string applicationId, IReadOnlyList<string> signalKeys, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken = default);

    /// <summary>Applications in a state, oldest first (for a bank's back office and the reference underwriter).</summary>
    Task<IReadOnlyList<StoredApplication>> ListApplicationsAsync(ApplicationState state, int max, CancellationToken cancellationToken = default);
}

/// <summary>The callback outbox and its dead-letter table.</summary>
public interface IOutboxStore
{
    /// <summary>
    /// Leases up to <paramref name="max"/> due messages for <paramref name="owner"/> until <c>now + leaseFor</c>.
    /// Only the head of each application's queue is eligible (lowest sequence still in the outbox), and none of an
    /// application with a dead-lettered earlier message, so delivery stays in order. Leased rows are skipped by
    /// other owners until the lease ends.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> LeaseDueAsync(int max, string owner, TimeSpan leaseFor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Removes a message after the platform acknowledged it.</summary>
    Task CompleteAsync(long messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes several acknowledged messages in one transaction (one commit, one disk sync). Ids no longer in the outbox
    /// are ignored. The default removes them one by one.
    /// </summary>
    async Task CompleteAsync(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        foreach (var id in messageIds)
        {
            await CompleteAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lease, counts the attempt and schedules the next one.</summary>
    Task RetryLaterAsync(long messageId, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken = default);

    /// <summary>Moves a message the platform refused for good into the dead-letter table.</summary>
    Task DeadLetterAsync(long messageId, string reason, DateTimeOffset parkedAt, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Moves a dead letter back into the outbox, due now. False when no such dead letter exists.</summary>
    Task<bool> RedriveAsync(long deadLetterId, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<OutboxStats> GetOutboxStatsAsync(CancellationToken cancellationToken = default);
}
