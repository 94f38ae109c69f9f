namespace ConnectorKit.Client.Tracking.Internal;

/// <summary>The platform store's schema, one entry per version; never edit a released entry, append a new one.</summary>
internal static class PlatformSchema
{
    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER NOT NULL PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at INTEGER NOT NULL)
        """;

    // Times are UTC ticks; money is minor units (fen). Written in the SQL both databases accept; PostgreSQL gets BIGINT
    // and BYTEA through Postgres().
    private const string V1 = """
        CREATE TABLE tracked_applications (
            bank_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            credit_code TEXT NOT NULL,
            product INTEGER NOT NULL,
            requested_amount_minor INTEGER NOT NULL,
            state INTEGER NOT NULL,
            approved_amount_minor INTEGER NULL,
            disbursed_total_minor INTEGER NOT NULL,
            last_tranche INTEGER NOT NULL,
            last_sequence INTEGER NOT NULL,
            submitted_at INTEGER NOT NULL,
            decided_at INTEGER NULL,
            first_money_at INTEGER NULL,
            timeline BLOB NOT NULL,
            PRIMARY KEY (bank_id, application_id));
        CREATE INDEX ix_tracked_applications_application_id ON tracked_applications (application_id);
        CREATE INDEX ix_tracked_applications_submitted_at ON tracked_applications (submitted_at);
        CREATE TABLE received_events (
            bank_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            request_hash BLOB NOT NULL,
            application_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (bank_id, event_id));
        CREATE INDEX ix_received_events_received_at ON received_events (received_at);
        """;

    public static readonly IReadOnlyList<(string Description, string Sql)> Sqlite =
    [
        ("tracked applications and received events", V1),
    ];

    public static readonly IReadOnlyList<(string Description, string Sql)> PostgreSql =
        [.. Sqlite.Select(m => (m.Description, Postgres(m.Sql)))];

    public static string Postgres(string sql) => sql.Replace("INTEGER", "BIGINT", StringComparison.Ordinal).Replace("BLOB", "BYTEA", StringComparison.Ordinal);
}
