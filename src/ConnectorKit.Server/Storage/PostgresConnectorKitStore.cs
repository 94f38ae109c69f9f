using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Storage.Internal;
using Npgsql;

namespace ConnectorKit.Server.Storage;

/// <summary>
/// The store for several nodes: PostgreSQL through Npgsql, the same schema and semantics as
/// <see cref="SqliteConnectorKitStore"/>. Applications are locked with <c>SELECT … FOR UPDATE</c> while they change,
/// outbox rows are leased with <c>FOR UPDATE SKIP LOCKED</c> so two nodes never lease the same row, and migrations
/// take an advisory lock so nodes starting together do not race. Call <see cref="MigrateAsync"/> before use.
/// </summary>
/// <remarks>
/// Durability is the server's: a commit returns once PostgreSQL has flushed it, as long as the database keeps its
/// default <c>synchronous_commit = on</c>.
/// </remarks>
public sealed class PostgresConnectorKitStore : IConnectorKitStore, IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly TimeProvider _time;

    /// <summary>A store on the database an Npgsql connection string names; the store owns its connection pool.</summary>
    /// <param name="timeProvider">Clock for the creation and due time of new outbox messages. Default: the system clock.</param>
    public PostgresConnectorKitStore(string connectionString, TimeProvider? timeProvider = null)
        : this(NpgsqlDataSource.Create(connectionString ?? throw new ArgumentNullException(nameof(connectionString))), ownsDataSource: true, timeProvider)
    {
    }

    /// <summary>A store on a data source the caller configured (TLS, credentials, pool size) and disposes.</summary>
    public PostgresConnectorKitStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), ownsDataSource: false, timeProvider)
    {
    }

    private PostgresConnectorKitStore(NpgsqlDataSource dataSource, bool ownsDataSource, TimeProvider? timeProvider)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Released at commit or rollback. DDL is transactional here, so a failed migration leaves the previous version.
        await using (var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(@key)", ("@key", PostgresSchema.MigrationLockKey)))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, PostgresSchema.CreateVersionTable, cancellationToken).ConfigureAwait(false);
        var current = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        var target = PostgresSchema.Migrations.Count;
        if (current > target)
        {
            throw new InvalidOperationException($"The database '{connection.Database}' has schema version {current}; this library knows versions up to {target}. Upgrade the library.");
        }

        for (var version = current + 1; version <= target; version++)
        {
            var (description, sql) = PostgresSchema.Migrations[version - 1];
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = Command(connection, "SELECT to_regclass('schema_version') IS NOT NULL");
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
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

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // One statement decides and writes; a concurrent upsert of the same key waits on the row (or the unique index)
        // and is then compared with the committed version.
        await using var upsert = Command(connection, """
            INSERT INTO profiles (credit_code, source, version, consent_id, consent_expires_at, payload, received_at)
            VALUES (@credit_code, @source, @version, @consent_id, @consent_expires_at, @payload, @received_at)
            ON CONFLICT (credit_code, source) DO UPDATE SET
                version = excluded.version, consent_id = excluded.consent_id, consent_expires_at = excluded.consent_expires_at,
                payload = excluded.payload, received_at = excluded.received_at
            WHERE profiles.version < excluded.version
            """);
        await using var stored = Command(connection, "SELECT version FROM profiles WHERE credit_code = @credit_code AND source = @source");

        var results = new List<ProfileUpsertResult>(profiles.Count);
        foreach (var profile in profiles)
        {
            ArgumentNullException.ThrowIfNull(profile, nameof(profiles));
            Set(
                upsert,
                ("@credit_code", profile.CreditCode),
                ("@source", profile.Source),
                ("@version", profile.Version),
                ("@consent_id", profile.ConsentId),
                ("@consent_expires_at", StoreRows.ToTicks(profile.ConsentExpiresAt)),
                ("@payload", profile.Payload),
                ("@received_at", StoreRows.ToTicks(profile.ReceivedAt)));
            if (await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                results.Add(new ProfileUpsertResult(ProfileUpsertOutcome.Applied, profile.Version));
                continue;
            }

            Set(stored, ("@credit_code", profile.CreditCode), ("@source", profile.Source));
            var version = (long)(await stored.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            results.Add(new ProfileUpsertResult(ProfileUpsertOutcome.Stale, version));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    public async Task<StoredProfile?> GetProfileAsync(string creditCode, string source, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ProfileColumns} FROM profiles WHERE credit_code = @credit_code AND source = @source",
            ("@credit_code", creditCode),
            ("@source", source));
        return await StoreRows.ReadSingleAsync(command, StoreRows.ReadProfile, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredProfile>> GetProfilesAsync(string creditCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ProfileColumns} FROM profiles WHERE credit_code = @credit_code ORDER BY source COLLATE \"C\"",
            ("@credit_code", creditCode));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadProfile, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RevokeResult> RevokeConsentAsync(string consentId, string creditCode, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentNullException.ThrowIfNull(creditCode);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // A concurrent revocation of the same consent waits on the primary key, then finds it taken.
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT EXISTS (SELECT 1 FROM revoked_consents WHERE consent_id = @consent_id)", ("@consent_id", consentId));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<string?> FindConsentCreditCodeAsync(string consentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            "(SELECT credit_code FROM revoked_consents WHERE consent_id = @consent_id) UNION ALL (SELECT credit_code FROM profiles WHERE consent_id = @consent_id) LIMIT 1",
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

        var ids = consentIds.ToArray();
        if (Array.IndexOf(ids, null) >= 0)
        {
            throw new ArgumentException("A consent id is null.", nameof(consentIds));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT consent_id FROM revoked_consents WHERE consent_id = ANY (@consent_ids)", ("@consent_ids", ids));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            revoked.Add(reader.GetString(0));
        }

        return revoked;
    }

    public async Task<CreateApplicationResult> CreateApplicationAsync(NewApplication application, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // A concurrent insert of the same key waits for the first to commit and then does nothing; the read below (a new
        // statement, so a new snapshot under READ COMMITTED) sees the winner. A clash on the application id throws.
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE application_id = @application_id FOR UPDATE",
            ("@application_id", applicationId));
        var current = await StoreRows.ReadSingleAsync(select, StoreRows.ReadApplication, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return new SignalledUpdate(null, false);
        }

        // The row lock is held, so a concurrent copy of the signal waits here and then sees the first one's keys.
        await using (var seen = Command(connection, "SELECT COUNT(*) FROM bank_signals WHERE signal_key = @signal_key"))
        {
            foreach (var key in signalKeys)
            {
                Set(seen, ("@signal_key", key));
                if (Convert.ToInt64(await seen.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) > 0)
                {
                    return new SignalledUpdate(current, true);
                }
            }
        }

        var change = update(current);
        if (change is null && signalKeys.Count == 0)
        {
            return new SignalledUpdate(current, false);
        }

        await using (var record = Command(connection, "INSERT INTO bank_signals (signal_key, application_id, applied_at) VALUES (@signal_key, @application_id, @applied_at) ON CONFLICT (signal_key) DO NOTHING"))
        {
            foreach (var key in signalKeys)
            {
                Set(record, ("@signal_key", key), ("@application_id", applicationId), ("@applied_at", StoreRows.ToTicks(_time.GetUtcNow())));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (change is null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new SignalledUpdate(current, false);
        }

        StoreRows.CheckUpdate(current, change);
        var updated = StoreRows.Apply(current, change);
        await using (var write = Command(
            connection,
            "UPDATE applications SET state = @state, payload = @payload, updated_at = @updated_at, last_sequence = @last_sequence WHERE application_id = @application_id",
            ("@state", (int)updated.State),
            ("@payload", updated.Payload),
            ("@updated_at", StoreRows.ToTicks(updated.UpdatedAt)),
            ("@last_sequence", updated.LastSequence),
            ("@application_id", applicationId)))
        {
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (change.Events.Count > 0)
        {
            var now = StoreRows.ToTicks(_time.GetUtcNow());
            await using var enqueue = Command(connection, """
                INSERT INTO outbox (application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at)
                VALUES (@application_id, @sequence, @event_id, @method, @payload, @now, 0, @now)
                """);
            foreach (var e in change.Events)
            {
                Set(enqueue, ("@application_id", applicationId), ("@sequence", e.Sequence), ("@event_id", e.EventId), ("@method", e.Method), ("@payload", e.Payload), ("@now", now));
                await enqueue.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SignalledUpdate(updated, false);
    }

    public async Task<IReadOnlyList<StoredApplication>> ListApplicationsAsync(ApplicationState state, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            $"SELECT {StoreRows.ApplicationColumns} FROM applications WHERE state = @state ORDER BY created_at, application_id COLLATE \"C\" LIMIT @max",
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

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // SKIP LOCKED passes over heads another node is leasing right now; a head leased and committed meanwhile is
        // re-checked on its new version (lease_until in the future) and dropped. The head and dead-letter tests read
        // one snapshot, in which a message and its move to dead_letters are atomic.
        await using var command = Command(connection, $"""
            WITH due AS (
                SELECT o.id FROM outbox o
                WHERE o.next_attempt_at <= @now
                  AND (o.lease_until IS NULL OR o.lease_until <= @now)
                  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.application_id = o.application_id AND e.sequence < o.sequence)
                  AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.application_id = o.application_id AND d.sequence < o.sequence)
                ORDER BY o.next_attempt_at, o.id
                LIMIT @max
                FOR UPDATE OF o SKIP LOCKED
            )
            UPDATE outbox SET lease_owner = @owner, lease_until = @until
            FROM due WHERE outbox.id = due.id
            RETURNING {Qualified("outbox", StoreRows.OutboxColumns)}
            """,
            ("@now", StoreRows.ToTicks(now)),
            ("@max", max),
            ("@owner", owner),
            ("@until", StoreRows.ToTicks(now + leaseFor)));
        var leased = await StoreRows.ReadAllAsync(command, StoreRows.ReadOutboxMessage, cancellationToken).ConfigureAwait(false);

        // RETURNING keeps no order.
        return [.. leased.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)];
    }

    public async Task CompleteAsync(long messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM outbox WHERE id = ANY(@ids)", ("@ids", messageIds.ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RetryLaterAsync(long messageId, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // One statement: the row leaves the outbox and enters dead_letters atomically; the refused attempt counts.
        await using var command = Command(connection, """
            WITH parked AS (DELETE FROM outbox WHERE id = @id RETURNING *)
            INSERT INTO dead_letters (outbox_id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error, reason, parked_at)
            SELECT id, application_id, sequence, event_id, method, payload, created_at, attempts + 1, next_attempt_at, last_error, @reason, @parked_at
            FROM parked
            """,
            ("@id", messageId),
            ("@reason", reason),
            ("@parked_at", StoreRows.ToTicks(parkedAt)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"SELECT {StoreRows.DeadLetterColumns} FROM dead_letters ORDER BY id LIMIT @max", ("@max", max));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadDeadLetter, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RedriveAsync(long deadLetterId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Back under its original id (identity columns accept explicit values), with a fresh attempt count.
        await using var command = Command(connection, """
            WITH redriven AS (DELETE FROM dead_letters WHERE id = @id RETURNING *)
            INSERT INTO outbox (id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error)
            SELECT outbox_id, application_id, sequence, event_id, method, payload, created_at, 0, @now, reason
            FROM redriven
            """,
            ("@id", deadLetterId),
            ("@now", StoreRows.ToTicks(now)));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<OutboxStats> GetOutboxStatsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Disposes the connection pool when the store created it.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Qualified(string table, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{table}.{c}"));

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        // Npgsql runs a command in the connection's open transaction without being told.
        var command = new NpgsqlCommand(sql, connection);
        Set(command, parameters);
        return command;
    }

    private static void Set(NpgsqlCommand command, params ReadOnlySpan<(string Name, object? Value)> parameters)
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
}
