using System.Data.Common;

namespace ConnectorKit.Client.Tracking.Internal;

/// <summary>What differs between the SQLite and the PostgreSQL platform store; <see cref="PlatformStoreEngine"/> holds the rest.</summary>
internal abstract class PlatformDatabase
{
    /// <summary>Appended to the SELECT that reads the application an event changes, to lock it until commit.</summary>
    public abstract string ForUpdate { get; }

    public abstract string Describe { get; }

    public abstract IReadOnlyList<(string Description, string Sql)> Migrations { get; }

    public abstract string CreateVersionTable { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs before the migration transaction (e.g. settings that cannot change inside one).</summary>
    public virtual Task PrepareMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs first inside the migration transaction (e.g. a lock so nodes starting together do not race).</summary>
    public virtual Task LockMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<WriteScope> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);
}

/// <summary>A write transaction; disposing without <see cref="CommitAsync"/> rolls back.</summary>
internal sealed class WriteScope(DbTransaction transaction, Action? release = null) : IAsyncDisposable
{
    private bool _released;

    public DbTransaction Transaction => transaction;

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (!_released)
            {
                _released = true;
                release?.Invoke();
            }
        }
    }
}
