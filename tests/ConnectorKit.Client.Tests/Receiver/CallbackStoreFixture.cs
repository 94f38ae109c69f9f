using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Tracking;
using Npgsql;

namespace ConnectorKit.Client.Tests.Receiver;

/// <summary>Where a callback host keeps its platform store: a fresh database per call of <see cref="NewDatabase"/>.</summary>
public abstract class CallbackStoreFixture : IAsyncLifetime
{
    public abstract PlatformStoreKind Kind { get; }

    /// <summary>Options pointing at a new, empty database; apply the same delegate again to reopen it (a restart).</summary>
    public abstract Action<ConnectorKitCallbackOptions> NewDatabase();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;
}

public sealed class SqliteCallbackStoreFixture : CallbackStoreFixture
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "connectorkit-callbacks-" + Guid.NewGuid().ToString("N"));

    public override PlatformStoreKind Kind => PlatformStoreKind.Sqlite;

    public override Action<ConnectorKitCallbackOptions> NewDatabase()
    {
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        return o =>
        {
            o.StoreKind = PlatformStoreKind.Sqlite;
            o.DataDirectory = directory;
        };
    }

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// PostgreSQL named by <c>CONNECTORKIT_TEST_POSTGRES</c> (eng/postgres.sh prints it); a new database per call, all
/// dropped at the end. Missing variable: every test of the suite fails, never skips.
/// </summary>
public sealed class PostgresCallbackStoreFixture : CallbackStoreFixture
{
    public const string Variable = "CONNECTORKIT_TEST_POSTGRES";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _databases = [];
    private string? _maintenance;

    public override PlatformStoreKind Kind => PlatformStoreKind.PostgreSql;

    public override async Task InitializeAsync()
    {
        _maintenance = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_maintenance))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL callback tests cannot run. Run eng/test.sh, which starts a throw-away " +
                $"PostgreSQL (eng/postgres.sh), or set {Variable} to an Npgsql connection string for a maintenance database.");
        }

        await using var connection = new NpgsqlConnection(_maintenance);
        await connection.OpenAsync().WaitAsync(Timeout);
    }

    public override Action<ConnectorKitCallbackOptions> NewDatabase()
    {
        var maintenance = _maintenance ?? throw new InvalidOperationException($"{Variable} is not set; run eng/test.sh.");
        var name = "ck_platform_test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(maintenance))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(maintenance) { Database = name }.ConnectionString;
        return o =>
        {
            o.StoreKind = PlatformStoreKind.PostgreSql;
            o.PostgresConnectionString = connectionString;
        };
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
}
