namespace ConnectorKit.Server.Storage;

/// <summary>Builds the store the options choose.</summary>
public static class ConnectorKitStoreFactory
{
    /// <summary>
    /// SQLite on <c>{DataDirectory}/connectorkit.db</c>, or PostgreSQL on <see cref="ConnectorKitServerOptions.PostgresConnectionString"/>.
    /// The caller runs <see cref="IConnectorKitStore.MigrateAsync"/> before first use and disposes the store.
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen without a connection string.</exception>
    public static IConnectorKitStore Create(ConnectorKitServerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Store switch
        {
            StoreKind.Sqlite => SqliteConnectorKitStore.ForDataDirectory(options.DataDirectory, timeProvider),
            StoreKind.PostgreSql => new PostgresConnectorKitStore(
                string.IsNullOrWhiteSpace(options.PostgresConnectionString)
                    ? throw new InvalidOperationException("ConnectorKit:Server:Store is PostgreSql but PostgresConnectionString is not set.")
                    : options.PostgresConnectionString,
                timeProvider),
            _ => throw new InvalidOperationException($"Unknown store kind {options.Store}."),
        };
    }
}
