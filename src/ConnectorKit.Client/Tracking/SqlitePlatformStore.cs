using System.Collections.Concurrent;
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
/// WAL to disk. Callbacks that arrive together share a transaction and its fsync (group commit).
/// <see cref="IPlatformStore.ApplyEventAsync"/> holds the write lock while the platform's handler runs: slow handlers
/// delay every other write to this file.
/// </remarks>
public sealed class SqlitePlatformStore : IPlatformStore, IDisposable, IAsyncDisposable
{
    /// <summary>The file name <see cref="ForDataDirectory"/> uses.</summary>
    public const string DatabaseFileName = "connectorkit-platform.db";

    // Enough to share one fsync among every event a busy bank has in flight; small enough that a batch's answers do
    // not wait long for each other.
    private const int MaxEventsPerTransaction = 256;

    private readonly Database _database;
    private readonly PlatformStoreEngine _engine;
    private readonly ConcurrentQueue<PendingEvent> _pendingEvents = new();
    private EventWriter? _writer;
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

    /// <remarks>
    /// Events that arrive while another is being applied are applied together in the next transaction, each under its
    /// own savepoint, and share its one fsync (group commit): the result of each is returned only after that commit.
    /// </remarks>
    public async Task<ApplyEventResult> ApplyEventAsync(
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_database.Disposed, this);
        var pending = new PendingEvent(incoming, transition, handler, cancellationToken);
        _pendingEvents.Enqueue(pending);
        EnsureWriter().Wake();
        if (_database.Disposed)
        {
            // Disposed while this was queued: the writer may be gone already.
            FailPending();
        }

        // Not the caller's token: once the writer took the event its handler may run, and then the answer is the commit's.
        return await pending.Result.ConfigureAwait(false);
    }

    private void FailPending()
    {
        while (_pendingEvents.TryDequeue(out var orphan))
        {
            orphan.Complete.TrySetException(new ObjectDisposedException(nameof(SqlitePlatformStore)));
        }
    }

    private EventWriter EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is { } writer)
        {
            return writer;
        }

        lock (_pendingEvents)
        {
            ObjectDisposedException.ThrowIf(_database.Disposed, this);
            return _writer ??= new EventWriter(this);
        }
    }

    /// <summary>Applies up to <see cref="MaxEventsPerTransaction"/> queued events in one transaction; the writer holds the write gate.</summary>
    private async Task ApplyQueuedAsync()
    {
        var batch = new List<PendingEvent>();
        while (batch.Count < MaxEventsPerTransaction && _pendingEvents.TryDequeue(out var next))
        {
            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Complete.TrySetCanceled(next.CancellationToken);
            }
            else
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var done = new List<(PendingEvent Event, ApplyEventResult Result)>(batch.Count);
        try
        {
            await using var connection = (SqliteConnection)await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = connection.BeginTransaction(deferred: false);
            foreach (var item in batch)
            {
                // A savepoint per event: one that fails (its handler threw, a write failed) leaves no trace, the others stay.
                transaction.Save("ev");
                try
                {
                    var result = await _engine.ApplyInTransactionAsync(connection, transaction, item.Incoming, item.Transition, item.Handler, item.CancellationToken).ConfigureAwait(false);
                    transaction.Release("ev");
                    done.Add((item, result));
                }
                catch (Exception exception)
                {
                    transaction.Rollback("ev");
                    transaction.Release("ev");
                    item.Complete.TrySetException(exception);
                }
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Nothing of this batch is committed: every caller sees the failure and its bank delivers again.
            foreach (var item in batch)
            {
                item.Complete.TrySetException(exception);
            }

            return;
        }

        foreach (var (item, result) in done)
        {
            item.Complete.TrySetResult(result);
        }
    }

    /// <summary>Closes the pooled connections to the file, so it can be moved or deleted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _database.Disposed = true;
        lock (_pendingEvents)
        {
            _writer?.Stop();
        }

        FailPending();
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

        public SemaphoreSlim WriteGate => _writeGate;

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

    /// <summary>
    /// The thread that applies queued events. Microsoft.Data.Sqlite's async methods run synchronously, and a commit waits
    /// for the disk; on the thread pool that wait would hold a pool thread per commit, and on a small machine (one core:
    /// a pool of one thread to begin with) starve the very calls that bring in the next events.
    /// </summary>
    private sealed class EventWriter
    {
        private readonly SqlitePlatformStore _store;
        private readonly SemaphoreSlim _work = new(0);
        private volatile bool _stopped;

        public EventWriter(SqlitePlatformStore store)
        {
            _store = store;
            new Thread(Run) { IsBackground = true, Name = "ConnectorKit platform store writer" }.Start();
        }

        public void Wake()
        {
            if (_work.CurrentCount == 0)
            {
                _work.Release();
            }
        }

        public void Stop()
        {
            _stopped = true;
            _work.Release();
        }

        private void Run()
        {
            while (true)
            {
                _work.Wait();
                if (_stopped)
                {
                    return;
                }

                while (!_store._pendingEvents.IsEmpty && !_stopped)
                {
                    _store._database.WriteGate.Wait();
                    try
                    {
                        _store.ApplyQueuedAsync().GetAwaiter().GetResult();
                    }
                    catch (Exception)
                    {
                        // ApplyQueuedAsync hands every failure to its callers; the writer lives on for the next events.
                    }
                    finally
                    {
                        _store._database.WriteGate.Release();
                    }
                }
            }
        }
    }

    private sealed class PendingEvent(
        IncomingEvent incoming,
        Func<TrackedApplication, EventTransition> transition,
        Func<TrackedApplication, TrackedApplication, CancellationToken, Task> handler,
        CancellationToken cancellationToken)
    {
        public IncomingEvent Incoming => incoming;

        public Func<TrackedApplication, EventTransition> Transition => transition;

        public Func<TrackedApplication, TrackedApplication, CancellationToken, Task> Handler => handler;

        public CancellationToken CancellationToken => cancellationToken;

        public TaskCompletionSource<ApplyEventResult> Complete { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ApplyEventResult> Result => Complete.Task;
    }
}
