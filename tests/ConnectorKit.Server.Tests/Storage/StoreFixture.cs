using ConnectorKit.Server.Storage;
using Npgsql;

namespace ConnectorKit.Server.Tests.Storage;

/// <summary>
/// What the conformance suite needs from an implementation: a fresh, migrated store per test (so outbox leasing in one
/// test never sees another's rows) and a second instance on the same database (a restart, or another node).
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A store on a new, empty database, already migrated.</summary>
    /// <param name="clock">The store's clock (due time of new outbox messages); default the system clock.</param>
    public async Task<IConnectorKitStore> CreateStoreAsync(TimeProvider? clock = null)
    {
        var store = CreateUnmigratedStore(clock);
        await store.MigrateAsync().WaitAsync(Timeout);
        return store;
    }

    /// <summary>A store on a new, empty database, not migrated yet.</summary>
    public abstract IConnectorKitStore CreateUnmigratedStore(TimeProvider? clock = null);

    /// <summary>A new instance on the database <paramref name="store"/> uses, as after a restart or on another node.</summary>
    public abstract IConnectorKitStore OpenAgain(IConnectorKitStore store, TimeProvider? clock = null);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>A fixture for the store type <typeparamref name="TStore"/>; the guard test reads the type from here.</summary>
public abstract class StoreFixture<TStore> : StoreFixture
    where TStore : IConnectorKitStore
{
}

/// <summary>SQLite: a temporary directory per fixture, a database file per store.</summary>
public sealed class SqliteStoreFixture : StoreFixture<SqliteConnectorKitStore>
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "connectorkit-sqlite-tests-" + Guid.NewGuid().ToString("N"));

    public override IConnectorKitStore CreateUnmigratedStore(TimeProvider? clock = null) =>
        new SqliteConnectorKitStore(Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".db"), clock);

    public override IConnectorKitStore OpenAgain(IConnectorKitStore store, TimeProvider? clock = null) =>
        new SqliteConnectorKitStore(((SqliteConnectorKitStore)store).DatabasePath, clock);

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL: the server named by <c>CONNECTORKIT_TEST_POSTGRES</c> (an Npgsql connection string to a maintenance
/// database, as eng/postgres.sh prints), a new database per store, all dropped at the end.
/// </summary>
public sealed class PostgresStoreFixture : StoreFixture<PostgresConnectorKitStore>
{
    public const string Variable = "CONNECTORKIT_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private readonly Dictionary<IConnectorKitStore, string> _connectionStrings = new(ReferenceEqualityComparer.Instance);
    private string? _maintenance;

    public override async Task InitializeAsync()
    {
        _maintenance = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_maintenance))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL store tests cannot run. Run eng/test.sh, which starts a throw-away " +
                $"PostgreSQL (eng/postgres.sh), or set {Variable} to an Npgsql connection string for a maintenance database.");
        }

        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync().WaitAsync(Timeout);
    }

    public override IConnectorKitStore CreateUnmigratedStore(TimeProvider? clock = null)
    {
        var connectionString = CreateDatabase();
        var store = new PostgresConnectorKitStore(connectionString, clock);
        lock (_connectionStrings)
        {
            _connectionStrings[store] = connectionString;
        }

        return store;
    }

    /// <summary>A new, empty database (dropped with the fixture); returns its connection string, for hosts or processes to open.</summary>
    public string CreateDatabase()
    {
        var name = "ck_test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(Maintenance))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(Maintenance) { Database = name }.ConnectionString;
    }

    public override IConnectorKitStore OpenAgain(IConnectorKitStore store, TimeProvider? clock = null)
    {
        string connectionString;
        lock (_connectionStrings)
        {
            connectionString = _connectionStrings[store];
        }

        var again = new PostgresConnectorKitStore(connectionString, clock);
        lock (_connectionStrings)
        {
            _connectionStrings[again] = connectionString;
        }

        return again;
    }

    public override async Task DisposeAsync()
    {
        if (_maintenance is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync().WaitAsync(Timeout);
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync().WaitAsync(Timeout);
        }
    }

    private string Maintenance => _maintenance ?? throw new InvalidOperationException($"{Variable} is not set; run eng/test.sh.");
}
