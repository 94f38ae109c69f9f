using System.Data.Common;
using ConnectorKit.Client.Tracking.Internal;
using Microsoft.Data.Sqlite;

namespace ConnectorKit.Client.Tracking;

/// <summary>
/// The embedded platform store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, a pooled connection per
/// operation, writers queued in-process and then holding the write lock from the start (<c>BEGIN IMMEDIATE</c>).
/// </summary>
/// <remarks>
/// The receiver acknowledges a callback as soon as it commits, and the bank then forgets it, so every commit syncs the
/// WAL to disk. <see cref="IPlatformStore.ApplyEventAsync"/> holds the write lock while the platform's handler runs:
/// slow handlers delay every other write to this file.
/// </remarks>
public sealed class SqlitePlatformStore : IPlatformStore, IDisposable, IAsyncDisposable
{
    /// <summary>The file name <see cref="ForDataDirectory"/> uses.</summary>
    public const string DatabaseFileName = "connectorkit-platform.db";

    private readonly Database _database;
    private readonly PlatformStoreEngine _engine;
    private bool _disposed;

    /// <summary>A store on the file at <paramref name="databasePath"/>; the file and its directory are created when missing.</summary>
    /// <param name="timeProvider">Clock for migration records. Default: the system clock.</param>
    public SqlitePlatformStore(string databasePath, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Database.BusyTimeoutMilliseconds / 1000,
        }.ConnectionString;
        _database = new Database(connectionString, DatabasePath);
        _engine = new PlatformStoreEngine(_database, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>A store on <c>{dataDirectory}/connectorkit-platform.db</c>.</summary>
    public static SqlitePlatformStore ForDataDirectory(string dataDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new SqlitePlatformStore(Path.Combine(dataDirectory, DatabaseFileName), timeProvider);
    }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => _engine.MigrateAsync(cancellationToken);

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) => _engine.GetSchemaVersionAsync(cancellationToken);

    public Task<bool> RecordSubmittedAsync(TrackedApplication application, CancellationToken cancellationToken = default) => _engine.RecordSubmittedAsync(application, cancellationToken);

    public Task<TrackedApplication?> GetAsync(string bankId, string applicationId, CancellationToken cancellationToken = default) => _engine.GetAsync(bankId, applicationId, cancellationToken);

    public Task<IReadOnlyList<TrackedApplication>> ListAsync(string? bankId = null, DateTimeOffset? submittedFrom = null, DateTimeOffset? submittedTo = null, CancellationToken cancellationToken = default)
        => _engine.ListAsync(bankId, submittedFrom, submittedTo, cancellationToken);

    public Task<ApplyEventResult> ApplyEventAsync(
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken = default)
        => _engine.ApplyEventAsync(incoming, transition, handler, cancellationToken);

    /// <summary>Closes the pooled connections to the file, so it can be moved or deleted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _database.Disposed = true;
        using var connection = new SqliteConnection(_database.ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Database(string connectionString, string path) : PlatformDatabase
    {
        public const int BusyTimeoutMilliseconds = 30_000;

        // Microsoft.Data.Sqlite's async methods are synchronous, so writers of this instance wait here asynchronously
        // instead of blocking pool threads in SQLite's busy handler.
        private readonly SemaphoreSlim _writeGate = new(1, 1);

        public string ConnectionString => connectionString;

        public volatile bool Disposed;

        public override string ForUpdate => string.Empty;

        public override string Describe => $"'{path}'";

        public override IReadOnlyList<(string Description, string Sql)> Migrations => PlatformSchema.Sqlite;

        public override string CreateVersionTable => PlatformSchema.CreateVersionTable;

        public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(Disposed, typeof(SqlitePlatformStore));
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public override async Task PrepareMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            // The journal mode is stored in the file and cannot change inside a transaction.
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL";
            var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{path}' (journal mode is '{mode}').");
            }
        }

        public override async Task<WriteScope> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return new WriteScope(((SqliteConnection)connection).BeginTransaction(deferred: false), () => _writeGate.Release());
            }
            catch
            {
                _writeGate.Release();
                throw;
            }
        }
    }
}
