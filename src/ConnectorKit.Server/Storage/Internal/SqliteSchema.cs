namespace ConnectorKit.Server.Storage.Internal;

/// <summary>
/// The SQLite schema as numbered migrations. Index i holds migration i + 1; a released migration never changes,
/// a new version appends one. Times are UTC ticks (INTEGER).
/// </summary>
internal static class SqliteSchema
{
    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)";

    public static readonly IReadOnlyList<(string Description, string Sql)> Migrations =
    [
        ("profiles, revoked consents, applications, outbox, dead letters", """
            CREATE TABLE profiles (
                credit_code        TEXT    NOT NULL,
                source             TEXT    NOT NULL,
                version            INTEGER NOT NULL,
                consent_id         TEXT    NOT NULL,
                consent_expires_at INTEGER NOT NULL,
                payload            BLOB    NOT NULL,
                received_at        INTEGER NOT NULL,
                PRIMARY KEY (credit_code, source)
            );
            CREATE INDEX ix_profiles_consent_id ON profiles (consent_id);

            CREATE TABLE revoked_consents (
                consent_id  TEXT    NOT NULL PRIMARY KEY,
                credit_code TEXT    NOT NULL,
                revoked_at  INTEGER NOT NULL
            );

            CREATE TABLE applications (
                application_id TEXT    NOT NULL PRIMARY KEY,
                platform_id    TEXT    NOT NULL,
                request_id     TEXT    NOT NULL,
                request_hash   BLOB    NOT NULL,
                credit_code    TEXT    NOT NULL,
                state          INTEGER NOT NULL,
                last_sequence  INTEGER NOT NULL DEFAULT 0,
                payload        BLOB    NOT NULL,
                response       BLOB    NOT NULL,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                UNIQUE (platform_id, request_id)
            );
            CREATE INDEX ix_applications_state ON applications (state, created_at);

            CREATE TABLE outbox (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                application_id  TEXT    NOT NULL REFERENCES applications (application_id),
                sequence        INTEGER NOT NULL,
                event_id        TEXT    NOT NULL,
                method          TEXT    NOT NULL,
                payload         BLOB    NOT NULL,
                created_at      INTEGER NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                last_error      TEXT,
                lease_owner     TEXT,
                lease_until     INTEGER,
                UNIQUE (application_id, sequence)
            );
            CREATE INDEX ix_outbox_due ON outbox (next_attempt_at, id);

            CREATE TABLE dead_letters (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                outbox_id       INTEGER NOT NULL,
                application_id  TEXT    NOT NULL REFERENCES applications (application_id),
                sequence        INTEGER NOT NULL,
                event_id        TEXT    NOT NULL,
                method          TEXT    NOT NULL,
                payload         BLOB    NOT NULL,
                created_at      INTEGER NOT NULL,
                attempts        INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                last_error      TEXT,
                reason          TEXT    NOT NULL,
                parked_at       INTEGER NOT NULL,
                UNIQUE (application_id, sequence)
            );
            """),
        ("bank signals already applied (connector deduplication)", """
            CREATE TABLE bank_signals (
                signal_key     TEXT    NOT NULL PRIMARY KEY,
                application_id TEXT    NOT NULL,
                applied_at     INTEGER NOT NULL
            );
            """),
    ];
}
