using System.Data.Common;
using ConnectorKit.Client.Tracking.Internal;
using Npgsql;

namespace ConnectorKit.Client.Tracking;

/// <summary>
/// The platform store for several nodes: PostgreSQL through Npgsql, the same schema and semantics as
/// <see cref="SqlitePlatformStore"/>. An event locks its application row (<c>SELECT … FOR UPDATE</c>) until commit, so
/// two nodes never apply events of one application at once; migrations take an advisory lock.
/// </summary>
/// <remarks>Durability is the server's: a commit returns once flushed, with PostgreSQL's default <c>synchronous_commit = on</c>.</remarks>
public sealed class PostgresPlatformStore : IPlatformStore, IDisposable, IAsyncDisposable
{
    // Distinct from the bank server's migration lock key, in case both share a database.
    private const long MigrationLockKey = 0x636B_706C_6174_0001;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PlatformStoreEngine _engine;

    /// <summary>A store on the database an Npgsql connection string names; the store owns its connection pool.</summary>
    public PostgresPlatformStore(string connectionString, TimeProvider? timeProvider = null)
        : this(NpgsqlDataSource.Create(connectionString ?? throw new ArgumentNullException(nameof(connectionString))), true, timeProvider)
    {
    }

    /// <summary>A store on a data source the caller configured and disposes.</summary>
    public PostgresPlatformStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), false, timeProvider)
    {
    }

    private PostgresPlatformStore(NpgsqlDataSource dataSource, bool ownsDataSource, TimeProvider? timeProvider)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _engine = new PlatformStoreEngine(new Database(dataSource), timeProvider ?? TimeProvider.System);
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

    private sealed class Database(NpgsqlDataSource dataSource) : PlatformDatabase
    {
        public override string ForUpdate => " FOR UPDATE";

        public override string Describe => $"'{dataSource.ConnectionString.Split(';').FirstOrDefault(p => p.StartsWith("Database", StringComparison.OrdinalIgnoreCase)) ?? "(default)"}'";

        public override IReadOnlyList<(string Description, string Sql)> Migrations => PlatformSchema.PostgreSql;

        public override string CreateVersionTable => PlatformSchema.Postgres(PlatformSchema.CreateVersionTable);

        public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
            => await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        public override async Task LockMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            // Released at commit or rollback; DDL is transactional, so a failed migration leaves the previous version.
            await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
            command.Parameters.AddWithValue("@key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async Task<WriteScope> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
            => new(await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));
    }
}
