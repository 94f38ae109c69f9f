using System.Data.Common;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Tracking.Internal;

/// <summary>The platform store's SQL, shared by both databases; the <see cref="PlatformDatabase"/> supplies connections, locking and DDL.</summary>
internal sealed class PlatformStoreEngine(PlatformDatabase database, TimeProvider timeProvider)
{
    private const string Columns =
        "bank_id, application_id, credit_code, product, requested_amount_minor, state, approved_amount_minor, disbursed_total_minor, " +
        "last_tranche, last_sequence, submitted_at, decided_at, first_money_at, timeline";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await database.PrepareMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await database.LockMigrationAsync(connection, write.Transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, write.Transaction, database.CreateVersionTable, cancellationToken).ConfigureAwait(false);
        var current = await ReadVersionAsync(connection, write.Transaction, cancellationToken).ConfigureAwait(false);
        var target = database.Migrations.Count;
        if (current > target)
        {
            throw new InvalidOperationException($"The platform database {database.Describe} has schema version {current}; this library knows versions up to {target}. Upgrade the library.");
        }

        for (var version = current + 1; version <= target; version++)
        {
            var (description, sql) = database.Migrations[version - 1];
            await ExecuteAsync(connection, write.Transaction, sql, cancellationToken).ConfigureAwait(false);
            await using var record = Command(
                connection,
                write.Transaction,
                "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @at)",
                ("@version", (long)version),
                ("@description", description),
                ("@at", timeProvider.GetUtcNow().UtcTicks));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // No schema_version table yet.
            return 0;
        }
    }

    public async Task<bool> RecordSubmittedAsync(TrackedApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var insert = Command(
            connection,
            write.Transaction,
            $"INSERT INTO tracked_applications ({Columns}) VALUES (@bank_id, @application_id, @credit_code, @product, @requested, @state, @approved, " +
            "@disbursed, @last_tranche, @last_sequence, @submitted_at, @decided_at, @first_money_at, @timeline) ON CONFLICT (bank_id, application_id) DO NOTHING",
            ("@credit_code", application.CreditCode),
            ("@product", (long)application.Product),
            ("@requested", application.RequestedAmountMinor),
            ("@submitted_at", application.SubmittedAt.UtcTicks));
        SetState(insert, application);
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public async Task<TrackedApplication?> GetAsync(string bankId, string applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadApplicationAsync(connection, null, bankId, applicationId, string.Empty, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TrackedApplication>> ListAsync(string? bankId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection,
            null,
            $"SELECT {Columns} FROM tracked_applications WHERE (@bank_id IS NULL OR bank_id = @bank_id) AND submitted_at >= @from AND submitted_at < @to " +
            "ORDER BY submitted_at, bank_id, application_id",
            ("@bank_id", bankId),
            ("@from", from?.UtcTicks ?? long.MinValue),
            ("@to", to?.UtcTicks ?? long.MaxValue));
        if (bankId is null)
        {
            // PostgreSQL cannot infer the type of a parameter that is only ever NULL.
            command.Parameters["@bank_id"].DbType = System.Data.DbType.String;
        }

        var list = new List<TrackedApplication>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<ApplyEventResult> ApplyEventAsync(
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(handler);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var result = await ApplyInTransactionAsync(connection, write.Transaction, incoming, transition, handler, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == ApplyEventOutcome.Applied)
        {
            // As the writes: the handler's effect has happened, so the caller going away must not roll it back.
            await write.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// The checks, the handler and the writes of one event inside a write transaction the caller holds and commits
    /// (only an <see cref="ApplyEventOutcome.Applied"/> result wrote anything).
    /// </summary>
    public async Task<ApplyEventResult> ApplyInTransactionAsync(
        DbConnection connection,
        DbTransaction tx,
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken)
    {
        var current = await ReadApplicationAsync(connection, tx, incoming.BankId, incoming.ApplicationId, database.ForUpdate, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            await using var other = Command(
                connection,
                tx,
                "SELECT COUNT(*) FROM tracked_applications WHERE application_id = @application_id AND bank_id <> @bank_id",
                ("@application_id", incoming.ApplicationId),
                ("@bank_id", incoming.BankId));
            var foreign = Convert.ToInt64(await other.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)) > 0;
            return new ApplyEventResult(foreign ? ApplyEventOutcome.ForeignApplication : ApplyEventOutcome.NotFound, null, 0);
        }

        var expected = current.LastSequence + 1;
        await using (var seen = Command(
            connection,
            tx,
            "SELECT request_hash FROM received_events WHERE bank_id = @bank_id AND event_id = @event_id",
            ("@bank_id", incoming.BankId),
            ("@event_id", incoming.EventId)))
        {
            if (await seen.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] hash)
            {
                var same = hash.AsSpan().SequenceEqual(incoming.RequestHash);
                return new ApplyEventResult(same ? ApplyEventOutcome.Duplicate : ApplyEventOutcome.Conflict, current, expected);
            }
        }

        if (incoming.Sequence != expected)
        {
            return new ApplyEventResult(ApplyEventOutcome.OutOfOrder, current, expected);
        }

        var decided = transition(current);
        if (decided.Next is null)
        {
            return new ApplyEventResult(ApplyEventOutcome.StateRefused, current, expected, decided.Refusal ?? "The event is not allowed in the application's state.");
        }

        var next = decided.Next with { LastSequence = incoming.Sequence };

        // The handler runs before anything is written: if it throws, disposing the scope rolls back and the bank's
        // retry finds the event new again. Once the commit below succeeds, a redelivery is a duplicate and never
        // reaches the handler.
        await handler(current, next, cancellationToken).ConfigureAwait(false);

        // From here on the handler's effect has happened: the bank going away (a crash, a reset connection) cancels the
        // request, and rolling back now would make its redelivery run the handler a second time. So the writes (and the
        // commit, wherever the caller makes it) ignore the request's token.
        await using (var record = Command(
            connection,
            tx,
            "INSERT INTO received_events (bank_id, event_id, request_hash, application_id, sequence, received_at) " +
            "VALUES (@bank_id, @event_id, @request_hash, @application_id, @sequence, @received_at)",
            ("@bank_id", incoming.BankId),
            ("@event_id", incoming.EventId),
            ("@request_hash", incoming.RequestHash),
            ("@application_id", incoming.ApplicationId),
            ("@sequence", (long)incoming.Sequence),
            ("@received_at", incoming.ReceivedAt.UtcTicks)))
        {
            await record.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await using (var update = Command(
            connection,
            tx,
            "UPDATE tracked_applications SET state = @state, approved_amount_minor = @approved, disbursed_total_minor = @disbursed, " +
            "last_tranche = @last_tranche, last_sequence = @last_sequence, decided_at = @decided_at, first_money_at = @first_money_at, timeline = @timeline " +
            "WHERE bank_id = @bank_id AND application_id = @application_id"))
        {
            SetState(update, next);
            await update.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return new ApplyEventResult(ApplyEventOutcome.Applied, next, incoming.Sequence + 1);
    }

    private static void SetState(DbCommand command, TrackedApplication application) => Set(
        command,
        ("@bank_id", application.BankId),
        ("@application_id", application.ApplicationId),
        ("@state", (long)application.State),
        ("@approved", application.ApprovedAmountMinor),
        ("@disbursed", application.DisbursedTotalMinor),
        ("@last_tranche", (long)application.LastTranche),
        ("@last_sequence", (long)application.LastSequence),
        ("@decided_at", application.DecidedAt?.UtcTicks),
        ("@first_money_at", application.FirstMoneyAt?.UtcTicks),
        ("@timeline", TimelineCodec.Encode(application.Timeline)));

    private static async Task<TrackedApplication?> ReadApplicationAsync(DbConnection connection, DbTransaction? tx, string bankId, string applicationId, string suffix, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            tx,
            $"SELECT {Columns} FROM tracked_applications WHERE bank_id = @bank_id AND application_id = @application_id{suffix}",
            ("@bank_id", bankId),
            ("@application_id", applicationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static TrackedApplication Read(DbDataReader reader) => new()
    {
        BankId = reader.GetString(0),
        ApplicationId = reader.GetString(1),
        CreditCode = reader.GetString(2),
        Product = (ProductType)Convert.ToInt32(reader.GetValue(3)),
        RequestedAmountMinor = Convert.ToInt64(reader.GetValue(4)),
        State = (ApplicationState)Convert.ToInt32(reader.GetValue(5)),
        ApprovedAmountMinor = reader.IsDBNull(6) ? null : Convert.ToInt64(reader.GetValue(6)),
        DisbursedTotalMinor = Convert.ToInt64(reader.GetValue(7)),
        LastTranche = Convert.ToInt32(reader.GetValue(8)),
        LastSequence = (ulong)Convert.ToInt64(reader.GetValue(9)),
        SubmittedAt = FromTicks(Convert.ToInt64(reader.GetValue(10))),
        DecidedAt = reader.IsDBNull(11) ? null : FromTicks(Convert.ToInt64(reader.GetValue(11))),
        FirstMoneyAt = reader.IsDBNull(12) ? null : FromTicks(Convert.ToInt64(reader.GetValue(12))),
        Timeline = TimelineCodec.Decode((byte[])reader.GetValue(13)),
    };

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? tx, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        Set(command, parameters);
        return command;
    }

    private static void Set(DbCommand command, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null)
            {
                // A NULL needs a type in PostgreSQL; every nullable column here is a 64-bit integer.
                parameter.DbType = System.Data.DbType.Int64;
            }

            command.Parameters.Add(parameter);
        }
    }
}
