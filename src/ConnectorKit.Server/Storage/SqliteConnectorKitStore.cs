using System.Collections.Concurrent;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace ConnectorKit.Server.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, a pooled connection per operation. Writers take the database's
/// write lock up front (<c>BEGIN IMMEDIATE</c>), so concurrent writers queue instead of failing; readers never wait.
/// Several instances (or processes on one machine) may share the file. Call <see cref="MigrateAsync"/> before use.
/// </summary>
/// <remarks>
/// Durability: <c>synchronous=FULL</c>. With WAL, NORMAL already survives a crash of the process, but a power cut or a
/// kernel panic can lose the last commits. The server acknowledges applications and credit data to the platform as
/// soon as they commit, and the outbox is the only record of a callback still owed, so every commit syncs the WAL to
/// disk (one fsync per write transaction).
/// </remarks>
public sealed class SqliteConnectorKitStore : IConnectorKitStore, IDisposable, IAsyncDisposable
{
    /// <summary>The file name <see cref="ForDataDirectory"/> uses.</summary>
    public const string DatabaseFileName = "connectorkit.db";

    private const int BusyTimeoutMilliseconds = 30_000;

    // Bounds one group commit, so the first caller of a long queue is not held back by all the others.
    private const int MaxUpdatesPerCommit = 64;

    // Writers through this instance queue here, asynchronously, before taking SQLite's write lock. Microsoft.Data.Sqlite's
    // async methods are synchronous, so without it each writer waiting on the lock would block a thread-pool thread.
    // Other instances and processes on the same file still wait in SQLite's busy handler.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentQueue<PendingUpdate> _pendingUpdates = new();
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    /// <summary>A store on the database file at <paramref name="databasePath"/>; the file and its directory are created when missing.</summary>
    /// <param name="timeProvider">Clock for the creation and due time of new outbox messages. Default: the system clock.</param>
    public SqliteConnectorKitStore(string databasePath, TimeProvider? timeProvider = null)
        : this(new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(databasePath ?? throw new ArgumentNullException(nameof(databasePath))) }, timeProvider)
    {
    }

    /// <summary>
    /// A store on the database a connection string names (its <c>Data Source</c> must be a file). Pooling, foreign
    /// keys and the busy time-out are set by the store whatever the string says.
    /// </summary>
    public SqliteConnectorKitStore(SqliteConnectionStringBuilder connectionString, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Default,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        };
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException("The SQLite store needs a database file; an in-memory database would vanish between operations.", nameof(connectionString));
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = builder.ConnectionString;
        DatabasePath = builder.DataSource;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>A store on <c>{dataDirectory}/connectorkit.db</c> (see <see cref="ConnectorKitServerOptions.DataDirectory"/>).</summary>
    public static SqliteConnectorKitStore ForDataDirectory(string dataDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new SqliteConnectorKitStore(Path.Combine(dataDirectory, DatabaseFileName), timeProvider);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // The journal mode is stored in the file; it cannot change inside a transaction.
        await using (var wal = Command(connection, "PRAGMA journal_mode = WAL"))
        {
            var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{DatabasePath}' (journal mode is '{mode}').");
            }
        }

        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, SqliteSchema.CreateVersionTable, cancellationToken).ConfigureAwait(false);
        var current = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        var target = SqliteSchema.Migrations.Count;
        if (current > target)
        {
            throw new InvalidOperationException($"The database '{DatabasePath}' has schema version {current}; this library knows versions up to {target}. Upgrade the library.");
        }

        for (var version = current + 1; version <= target; version++)
        {
            var (description, sql) = SqliteSchema.Migrations[version - 1];
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await using var record = Command(
                connection,
                "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @at)",
                ("@version", version),
                ("@description", description),
                ("@at", StoreRows.ToTicks(_time.GetUtcNow())));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = Command(connection, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) == 0)
        {
            return 0;
        }

        return await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ProfileUpsertResult> UpsertProfileAsync(StoredProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var results = await UpsertProfilesAsync([profile], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    public async Task<IReadOnlyList<ProfileUpsertResult>> UpsertProfilesAsync(IReadOnlyList<StoredProfile> profiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        if (profiles.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var upsert = Command(connection, """
            INSERT INTO profiles (credit_code, source, version, consent_id, consent_expires_at, payload, received_at)
            VALUES (@credit_code, @source, @version, @consent_id, @consent_expires_at, @payload, @received_at)
            ON CONFLICT (credit_code, source) DO UPDATE SET
                version = excluded.version, consent_id = excluded.consent_id, consent_expires_at = excluded.consent_expires_at,
                payload = excluded.payload, received_at = excluded.received_at
            WHERE profiles.version < excluded.version
            """);
        await using var stored = Command(connection, "SELECT version FROM profiles WHERE credit_code = @credit_code AND source = @source");

        // The parameters are added once and then only given values: looking each up by name for every row of a bulk
        // batch cost more than binding it.
        var parameters = new ProfileParameters(upsert);
        var results = new List<ProfileUpsertResult>(profiles.Count);
        foreach (var profile in profiles)
        {
            ArgumentNullException.ThrowIfNull(profile, nameof(profiles));
            parameters.Set(profile);
            if (await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                results.Add(new ProfileUpsertResult(ProfileUpsertOutcome.Applied, profile.Version));
                continue;
            }

            Set(stored, ("@credit_code", profile.CreditCode), ("@source", profile.Source));
            var version = Convert.ToInt64(await stored.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
            results.Add(new ProfileUpsertResult(ProfileUpsertOutcome.Stale, version));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    public async Task<StoredProfile?> GetProfileAsync(string creditCode, string source, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ProfileColumns} FROM profiles WHERE credit_code = @credit_code AND source = @source",
            ("@credit_code", creditCode),
            ("@source", source));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? StoreRows.ReadProfile(reader) : null;
    }

    public async Task<IReadOnlyList<StoredProfile>> GetProfilesAsync(string creditCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ProfileColumns} FROM profiles WHERE credit_code = @credit_code ORDER BY source",
            ("@credit_code", creditCode));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadProfile, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevokeResult> RevokeConsentAsync(string consentId, string creditCode, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentNullException.ThrowIfNull(creditCode);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var record = Command(
            connection,
            "INSERT INTO revoked_consents (consent_id, credit_code, revoked_at) VALUES (@consent_id, @credit_code, @revoked_at) ON CONFLICT (consent_id) DO NOTHING",
            ("@consent_id", consentId),
            ("@credit_code", creditCode),
            ("@revoked_at", StoreRows.ToTicks(revokedAt)));
        if (await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return new RevokeResult(AlreadyRevoked: true, ProfilesDeleted: 0);
        }

        await using var delete = Command(connection, "DELETE FROM profiles WHERE consent_id = @consent_id", ("@consent_id", consentId));
        var deleted = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RevokeResult(AlreadyRevoked: false, deleted);
    }

    public async Task<bool> IsConsentRevokedAsync(string consentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT COUNT(*) FROM revoked_consents WHERE consent_id = @consent_id", ("@consent_id", consentId));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) > 0;
    }

    public async Task<string?> FindConsentCreditCodeAsync(string consentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            "SELECT credit_code FROM revoked_consents WHERE consent_id = @consent_id UNION ALL SELECT credit_code FROM profiles WHERE consent_id = @consent_id LIMIT 1",
            ("@consent_id", consentId));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<IReadOnlySet<string>> GetRevokedConsentsAsync(IReadOnlyCollection<string> consentIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentIds);
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        if (consentIds.Count == 0)
        {
            return revoked;
        }

        // One connection and one prepared statement for the batch; each id is an index look-up in revoked_consents.
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT 1 FROM revoked_consents WHERE consent_id = @consent_id");
        var id = command.Parameters.Add("@consent_id", SqliteType.Text);
        command.Prepare();
        foreach (var consentId in consentIds)
        {
            id.Value = consentId ?? throw new ArgumentException("A consent id is null.", nameof(consentIds));
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                revoked.Add(consentId);
            }
        }

        return revoked;
    }

    public async Task<CreateApplicationResult> CreateApplicationAsync(NewApplication application, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        // Only a clash on the idempotency key is "already there"; a clash on the application id is a caller bug and throws.
        await using var insert = Command(connection, $"""
            INSERT INTO applications ({StoreRows.ApplicationColumns})
            VALUES (@application_id, @platform_id, @request_id, @request_hash, @credit_code, @state, 0, @payload, @response, @created_at, @created_at)
            ON CONFLICT (platform_id, request_id) DO NOTHING
            """,
            ("@application_id", application.ApplicationId),
            ("@platform_id", application.PlatformId),
            ("@request_id", application.RequestId),
            ("@request_hash", application.RequestHash),
            ("@credit_code", application.CreditCode),
            ("@state", (int)application.State),
            ("@payload", application.Payload),
            ("@response", application.Response),
            ("@created_at", StoreRows.ToTicks(application.CreatedAt)));
        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new CreateApplicationResult(Created: true, SameRequest: true, StoreRows.FromNew(application));
        }

        await using var select = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE platform_id = @platform_id AND request_id = @request_id",
            ("@platform_id", application.PlatformId),
            ("@request_id", application.RequestId));
        var existing = await StoreRows.ReadSingleAsync(select, StoreRows.ReadApplication, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The application that blocked the insert is gone.");
        return new CreateApplicationResult(Created: false, existing.RequestHash.AsSpan().SequenceEqual(application.RequestHash), existing);
    }

    public async Task<StoredApplication?> GetApplicationAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE application_id = @application_id",
            ("@application_id", applicationId));
        return await StoreRows.ReadSingleAsync(command, StoreRows.ReadApplication, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredApplication?> UpdateApplicationAsync(string applicationId, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken = default)
        => (await UpdateCoreAsync(applicationId, [], update, cancellationToken).ConfigureAwait(false)).Application;

    public Task<SignalledUpdate> UpdateApplicationForSignalAsync(string applicationId, IReadOnlyList<string> signalKeys, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signalKeys);
        if (signalKeys.Count == 0 || signalKeys.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A signal needs at least one non-empty key.", nameof(signalKeys));
        }

        return UpdateCoreAsync(applicationId, signalKeys, update, cancellationToken);
    }

    private async Task<SignalledUpdate> UpdateCoreAsync(string applicationId, IReadOnlyList<string> signalKeys, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingUpdate(applicationId, signalKeys, update, cancellationToken);
        _pendingUpdates.Enqueue(pending);

        // Group commit: whoever holds the write gate runs every queued change in one transaction, so concurrent state
        // changes share one disk sync instead of paying one each. A caller returns only after its own change committed.
        while (!pending.Done.Task.IsCompleted)
        {
            await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (!pending.Done.Task.IsCompleted)
                {
                    await RunQueuedUpdatesAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }

        return await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Runs up to <see cref="MaxUpdatesPerCommit"/> queued changes in one write transaction, each inside its own savepoint
    /// so that one change that throws rolls back alone. Results are handed out only after the commit. The caller holds
    /// the write gate.
    /// </summary>
    private async Task RunQueuedUpdatesAsync()
    {
        var batch = new List<PendingUpdate>();
        while (batch.Count < MaxUpdatesPerCommit && _pendingUpdates.TryDequeue(out var queued))
        {
            if (queued.CancellationToken.IsCancellationRequested)
            {
                queued.Done.TrySetCanceled(queued.CancellationToken);
                continue;
            }

            batch.Add(queued);
        }

        if (batch.Count == 0)
        {
            return;
        }

        var outcomes = new (SignalledUpdate? Result, Exception? Error)[batch.Count];
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);

            // BEGIN IMMEDIATE holds the database's write lock: no row can change between a read and its write.
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var statements = new UpdateStatements(connection);
            for (var i = 0; i < batch.Count; i++)
            {
                transaction.Save("ck_update");
                try
                {
                    outcomes[i] = (await ApplyUpdateAsync(statements, batch[i]).ConfigureAwait(false), null);
                    transaction.Release("ck_update");
                }
                catch (Exception ex)
                {
                    // The change's own refusal (a transition that is not allowed, a constraint it broke): undo just this
                    // one. When SQLite has already dropped the whole transaction this throws, and the batch fails.
                    transaction.Rollback("ck_update");
                    transaction.Release("ck_update");
                    outcomes[i] = (null, ex);
                }
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Nothing of this batch committed: every caller in it gets the failure.
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                batch[i].Done.TrySetException(error);
            }
            else
            {
                batch[i].Done.TrySetResult(outcomes[i].Result!);
            }
        }
    }

    private async Task<SignalledUpdate> ApplyUpdateAsync(UpdateStatements statements, PendingUpdate pending)
    {
        var (applicationId, signalKeys, update) = (pending.ApplicationId, pending.SignalKeys, pending.Update);
        statements.Select.Parameters["@application_id"].Value = applicationId;
        var current = await StoreRows.ReadSingleAsync(statements.Select, StoreRows.ReadApplication, CancellationToken.None).ConfigureAwait(false);
        if (current is null)
        {
            return new SignalledUpdate(null, false);
        }

        // The write lock is held, so a concurrent copy of the signal (in this batch or a later one) sees the first one's keys.
        foreach (var key in signalKeys)
        {
            statements.Seen.Parameters["@signal_key"].Value = key;
            if (Convert.ToInt64(await statements.Seen.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                return new SignalledUpdate(current, true);
            }
        }

        var change = update(current);
        if (change is null && signalKeys.Count == 0)
        {
            return new SignalledUpdate(current, false);
        }

        foreach (var key in signalKeys)
        {
            Set(statements.Record, ("@signal_key", key), ("@application_id", applicationId), ("@applied_at", StoreRows.ToTicks(_time.GetUtcNow())));
            await statements.Record.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (change is null)
        {
            return new SignalledUpdate(current, false);
        }

        StoreRows.CheckUpdate(current, change);
        var updated = StoreRows.Apply(current, change);
        Set(
            statements.Write,
            ("@state", (int)updated.State),
            ("@payload", updated.Payload),
            ("@updated_at", StoreRows.ToTicks(updated.UpdatedAt)),
            ("@last_sequence", updated.LastSequence),
            ("@application_id", applicationId));
        await statements.Write.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);

        if (change.Events.Count > 0)
        {
            var now = StoreRows.ToTicks(_time.GetUtcNow());
            foreach (var e in change.Events)
            {
                Set(statements.Enqueue, ("@application_id", applicationId), ("@sequence", e.Sequence), ("@event_id", e.EventId), ("@method", e.Method), ("@payload", e.Payload), ("@now", now));
                await statements.Enqueue.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new SignalledUpdate(updated, false);
    }

    public async Task<IReadOnlyList<StoredApplication>> ListApplicationsAsync(ApplicationState state, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE state = @state ORDER BY created_at, application_id LIMIT @max",
            ("@state", (int)state),
            ("@max", max));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadApplication, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OutboxMessage>> LeaseDueAsync(int max, string owner, TimeSpan leaseFor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseFor, TimeSpan.Zero);
        if (max == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // One statement selects and leases (the IN list is evaluated before any row changes), under the write lock, so
        // another owner's LeaseDueAsync waits and then sees the lease.
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var lease = Command(connection, $"""
            UPDATE outbox SET lease_owner = @owner, lease_until = @until
            WHERE id IN (
                SELECT o.id FROM outbox o
                WHERE o.next_attempt_at <= @now
                  AND (o.lease_until IS NULL OR o.lease_until <= @now)
                  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.application_id = o.application_id AND e.sequence < o.sequence)
                  AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.application_id = o.application_id AND d.sequence < o.sequence)
                ORDER BY o.next_attempt_at, o.id
                LIMIT @max)
            RETURNING {StoreRows.OutboxColumns}
            """,
            ("@owner", owner),
            ("@until", StoreRows.ToTicks(now + leaseFor)),
            ("@now", StoreRows.ToTicks(now)),
            ("@max", max));
        var leased = await StoreRows.ReadAllAsync(lease, StoreRows.ReadOutboxMessage, cancellationToken).ConfigureAwait(false);
        if (leased.Count == 0)
        {
            return leased;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // RETURNING gives no order; callers get the due order as before.
        return leased.Count <= 1 ? leased : [.. leased.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)];
    }

    public async Task CompleteAsync(long messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM outbox WHERE id = @id", ("@id", messageId));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM outbox WHERE id = @id");
        var id = command.Parameters.AddWithValue("@id", 0L);
        foreach (var messageId in messageIds)
        {
            id.Value = messageId;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RetryLaterAsync(long messageId, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            "UPDATE outbox SET attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, next_attempt_at = @next, last_error = @error WHERE id = @id",
            ("@next", StoreRows.ToTicks(nextAttemptAt)),
            ("@error", error),
            ("@id", messageId));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeadLetterAsync(long messageId, string reason, DateTimeOffset parkedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        // The refused attempt counts, as RetryLaterAsync counts a failed one.
        await using var park = Command(connection, """
            INSERT INTO dead_letters (outbox_id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error, reason, parked_at)
            SELECT id, application_id, sequence, event_id, method, payload, created_at, attempts + 1, next_attempt_at, last_error, @reason, @parked_at
            FROM outbox WHERE id = @id
            """,
            ("@reason", reason),
            ("@parked_at", StoreRows.ToTicks(parkedAt)),
            ("@id", messageId));
        await park.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = Command(connection, "DELETE FROM outbox WHERE id = @id", ("@id", messageId));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {StoreRows.DeadLetterColumns} FROM dead_letters ORDER BY id LIMIT @max", ("@max", max));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadDeadLetter, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RedriveAsync(long deadLetterId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        // Back under its original id, with a fresh attempt count so the back-off starts small again.
        await using var restore = Command(connection, """
            INSERT INTO outbox (id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error)
            SELECT outbox_id, application_id, sequence, event_id, method, payload, created_at, 0, @now, reason
            FROM dead_letters WHERE id = @id
            """,
            ("@now", StoreRows.ToTicks(now)),
            ("@id", deadLetterId));
        if (await restore.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await using var delete = Command(connection, "DELETE FROM dead_letters WHERE id = @id", ("@id", deadLetterId));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<OutboxStats> GetOutboxStatsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            SELECT (SELECT COUNT(*) FROM outbox),
                   (SELECT COUNT(*) FROM outbox WHERE attempts > 0),
                   (SELECT COUNT(*) FROM dead_letters),
                   (SELECT MIN(created_at) FROM outbox)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new OutboxStats(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetInt64(2),
            reader.IsDBNull(3) ? null : StoreRows.FromTicks(reader.GetInt64(3)));
    }

    /// <summary>Closes the pooled connections to the file, so it can be moved or deleted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Per-connection settings; a pooled connection keeps them, so this costs one cheap statement per operation.
            await ExecuteAsync(connection, $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutMilliseconds};", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>BEGIN IMMEDIATE</c>: takes the write lock now (waiting up to the busy time-out), not at the first write, so
    /// a read-then-write never fails half-way with SQLITE_BUSY. Disposing without committing rolls back.
    /// </summary>
    private async ValueTask<WriteTransaction> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new WriteTransaction(connection.BeginTransaction(deferred: false), _writeGate);
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        // CreateCommand enlists the command in the connection's open transaction, if any.
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Set(command, parameters);
        return command;
    }

    private static void Set(SqliteCommand command, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (command.Parameters.Contains(name))
            {
                command.Parameters[name].Value = value ?? DBNull.Value;
            }
            else
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }
    }

    /// <summary>The upsert's parameters, held so each row only assigns values.</summary>
    private sealed class ProfileParameters(SqliteCommand command)
    {
        private readonly SqliteParameter _creditCode = command.Parameters.Add("@credit_code", SqliteType.Text);
        private readonly SqliteParameter _source = command.Parameters.Add("@source", SqliteType.Text);
        private readonly SqliteParameter _version = command.Parameters.Add("@version", SqliteType.Integer);
        private readonly SqliteParameter _consentId = command.Parameters.Add("@consent_id", SqliteType.Text);
        private readonly SqliteParameter _consentExpiresAt = command.Parameters.Add("@consent_expires_at", SqliteType.Integer);
        private readonly SqliteParameter _payload = command.Parameters.Add("@payload", SqliteType.Blob);
        private readonly SqliteParameter _receivedAt = command.Parameters.Add("@received_at", SqliteType.Integer);

        public void Set(StoredProfile profile)
        {
            _creditCode.Value = profile.CreditCode;
            _source.Value = profile.Source;
            _version.Value = profile.Version;
            _consentId.Value = profile.ConsentId;
            _consentExpiresAt.Value = StoreRows.ToTicks(profile.ConsentExpiresAt);
            _payload.Value = profile.Payload;
            _receivedAt.Value = StoreRows.ToTicks(profile.ReceivedAt);
        }
    }

    private sealed class PendingUpdate(string applicationId, IReadOnlyList<string> signalKeys, Func<StoredApplication, ApplicationUpdate?> update, CancellationToken cancellationToken)
    {
        public string ApplicationId { get; } = applicationId;

        public IReadOnlyList<string> SignalKeys { get; } = signalKeys;

        public Func<StoredApplication, ApplicationUpdate?> Update { get; } = update;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<SignalledUpdate> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The statements of a group commit, created once per batch so SQLite compiles each only once.</summary>
    private sealed class UpdateStatements(SqliteConnection connection) : IAsyncDisposable
    {
        public SqliteCommand Select { get; } = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE application_id = @application_id",
            ("@application_id", string.Empty));

        public SqliteCommand Seen { get; } = Command(connection, "SELECT COUNT(*) FROM bank_signals WHERE signal_key = @signal_key", ("@signal_key", string.Empty));

        public SqliteCommand Record { get; } = Command(connection, "INSERT INTO bank_signals (signal_key, application_id, applied_at) VALUES (@signal_key, @application_id, @applied_at) ON CONFLICT (signal_key) DO NOTHING");

        public SqliteCommand Write { get; } = Command(connection, "UPDATE applications SET state = @state, payload = @payload, updated_at = @updated_at, last_sequence = @last_sequence WHERE application_id = @application_id");

        public SqliteCommand Enqueue { get; } = Command(connection, """
            INSERT INTO outbox (application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at)
            VALUES (@application_id, @sequence, @event_id, @method, @payload, @now, 0, @now)
            """);

        public async ValueTask DisposeAsync()
        {
            await Select.DisposeAsync().ConfigureAwait(false);
            await Seen.DisposeAsync().ConfigureAwait(false);
            await Record.DisposeAsync().ConfigureAwait(false);
            await Write.DisposeAsync().ConfigureAwait(false);
            await Enqueue.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class WriteTransaction(SqliteTransaction transaction, SemaphoreSlim gate) : IAsyncDisposable
    {
        private bool _released;

        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                if (!_released)
                {
                    _released = true;
                    gate.Release();
                }
            }
        }
    }
}
