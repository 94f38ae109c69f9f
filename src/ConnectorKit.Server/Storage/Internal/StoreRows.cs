using System.Data.Common;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Storage.Internal;

/// <summary>
/// What both stores share: column lists (the schema has the same column names in both dialects), row readers and the
/// checks on an <see cref="ApplicationUpdate"/>. Times are stored as UTC ticks (64-bit integers) in both, so they
/// round-trip exactly (PostgreSQL's timestamptz would drop the last digit of .NET's 100 ns resolution).
/// </summary>
internal static class StoreRows
{
    public const string ProfileColumns = "credit_code, source, version, consent_id, consent_expires_at, payload, received_at";

    public const string ApplicationColumns =
        "application_id, platform_id, request_id, request_hash, credit_code, state, last_sequence, payload, response, created_at, updated_at";

    public const string OutboxColumns = "id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error";

    public const string DeadLetterColumns =
        "id, outbox_id, application_id, sequence, event_id, method, payload, created_at, attempts, next_attempt_at, last_error, reason, parked_at";

    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static StoredProfile ReadProfile(DbDataReader r) => new(
        CreditCode: r.GetString(0),
        Source: r.GetString(1),
        Version: r.GetInt64(2),
        ConsentId: r.GetString(3),
        ConsentExpiresAt: FromTicks(r.GetInt64(4)),
        Payload: r.GetFieldValue<byte[]>(5),
        ReceivedAt: FromTicks(r.GetInt64(6)));

    public static StoredApplication ReadApplication(DbDataReader r) => new(
        ApplicationId: r.GetString(0),
        PlatformId: r.GetString(1),
        RequestId: r.GetString(2),
        RequestHash: r.GetFieldValue<byte[]>(3),
        CreditCode: r.GetString(4),
        State: (ApplicationState)r.GetInt32(5),
        LastSequence: r.GetInt64(6),
        Payload: r.GetFieldValue<byte[]>(7),
        Response: r.GetFieldValue<byte[]>(8),
        CreatedAt: FromTicks(r.GetInt64(9)),
        UpdatedAt: FromTicks(r.GetInt64(10)));

    public static OutboxMessage ReadOutboxMessage(DbDataReader r) => ReadOutboxMessage(r, 0);

    private static OutboxMessage ReadOutboxMessage(DbDataReader r, int offset) => new(
        Id: r.GetInt64(offset),
        ApplicationId: r.GetString(offset + 1),
        Sequence: r.GetInt64(offset + 2),
        EventId: r.GetString(offset + 3),
        Method: r.GetString(offset + 4),
        Payload: r.GetFieldValue<byte[]>(offset + 5),
        CreatedAt: FromTicks(r.GetInt64(offset + 6)),
        Attempts: r.GetInt32(offset + 7),
        NextAttemptAt: FromTicks(r.GetInt64(offset + 8)),
        LastError: r.IsDBNull(offset + 9) ? null : r.GetString(offset + 9));

    public static DeadLetter ReadDeadLetter(DbDataReader r) => new(
        Id: r.GetInt64(0),
        Message: ReadOutboxMessage(r, 1),
        Reason: r.GetString(11),
        ParkedAt: FromTicks(r.GetInt64(12)));

    public static async Task<T?> ReadSingleAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
    }

    public static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(read(reader));
        }

        return list;
    }

    public static StoredApplication FromNew(NewApplication a) => new(
        a.ApplicationId, a.PlatformId, a.RequestId, a.RequestHash, a.CreditCode, a.State, LastSequence: 0, a.Payload, a.Response, a.CreatedAt, a.CreatedAt);

    /// <summary>
    /// The events must continue the application's sequence without gaps: the platform refuses anything but
    /// last + 1, so a gap written here would block the application's callbacks for good.
    /// </summary>
    public static void CheckUpdate(StoredApplication current, ApplicationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update.Payload, nameof(ApplicationUpdate.Payload));
        ArgumentNullException.ThrowIfNull(update.Events, nameof(ApplicationUpdate.Events));
        var expected = current.LastSequence + 1;
        foreach (var e in update.Events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(ApplicationUpdate.Events));
            if (e.Sequence != expected)
            {
                throw new ArgumentException(
                    $"Event '{e.EventId}' of application '{current.ApplicationId}' has sequence {e.Sequence}; expected {expected}.",
                    nameof(update));
            }

            ArgumentException.ThrowIfNullOrEmpty(e.EventId, nameof(NewOutboxMessage.EventId));
            ArgumentException.ThrowIfNullOrEmpty(e.Method, nameof(NewOutboxMessage.Method));
            ArgumentNullException.ThrowIfNull(e.Payload, nameof(NewOutboxMessage.Payload));
            expected++;
        }
    }

    public static StoredApplication Apply(StoredApplication current, ApplicationUpdate update) => current with
    {
        State = update.State,
        Payload = update.Payload,
        UpdatedAt = update.At,
        LastSequence = update.Events.Count == 0 ? current.LastSequence : update.Events[^1].Sequence,
    };
}
