using ConnectorKit.Client;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Receiver.Internal;
using ConnectorKit.Client.Tracking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LoanEvents callback receiver and application tracking.</summary>
public static class ConnectorKitCallbacksServiceCollectionExtensions
{
    /// <summary>
    /// Adds the receiver, the platform store (migrated at start-up), <see cref="ApplicationTracker"/> as
    /// <see cref="IApplicationTracker"/> and <see cref="IApplicationTimelines"/>, and the gRPC runtime. Register an
    /// <see cref="ILoanEventHandler"/> too; options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddConnectorKitCallbacks(this IServiceCollection services, Action<ConnectorKitCallbackOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConnectorKitCallbackOptions>().Configure(configure);
        return services.AddConnectorKitCallbacksCore();
    }

    /// <summary>As <see cref="AddConnectorKitCallbacks(IServiceCollection, Action{ConnectorKitCallbackOptions})"/>, bound to a configuration section such as <c>ConnectorKit:Callbacks</c>.</summary>
    public static IServiceCollection AddConnectorKitCallbacks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorKitCallbackOptions>().Bind(configuration);
        return services.AddConnectorKitCallbacksCore();
    }

    private static IServiceCollection AddConnectorKitCallbacksCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ConnectorKitCallbackOptions>()
            .Validate(o => o.StoreKind != PlatformStoreKind.PostgreSql || !string.IsNullOrWhiteSpace(o.PostgresConnectionString), "ConnectorKit:Callbacks:PostgresConnectionString is required when StoreKind is PostgreSql.")
            .Validate(o => o.StoreKind != PlatformStoreKind.Sqlite || !string.IsNullOrWhiteSpace(o.DataDirectory), "ConnectorKit:Callbacks:DataDirectory is required when StoreKind is Sqlite.")
            .Validate(o => Enum.IsDefined(o.StoreKind), "ConnectorKit:Callbacks:StoreKind must be Sqlite or PostgreSql.")
            .Validate(o => o.BearerTokens.Count > 0 || o.PinnedClientCertificates.Count > 0 || !string.IsNullOrWhiteSpace(o.ClientCertificateCaPath) || o.AllowUnauthenticatedCallers,
                "ConnectorKit:Callbacks needs BearerTokens, PinnedClientCertificates or ClientCertificateCaPath to authenticate banks (or AllowUnauthenticatedCallers for development).")
            .Validate(o => o.BearerTokens.All(e => !string.IsNullOrWhiteSpace(e.Key) && !string.IsNullOrWhiteSpace(e.Value)), "ConnectorKit:Callbacks:BearerTokens holds an empty token or bank id.")
            .Validate(o => o.PinnedClientCertificates.All(e => e.Key.Count(Uri.IsHexDigit) == 64 && !string.IsNullOrWhiteSpace(e.Value)), "ConnectorKit:Callbacks:PinnedClientCertificates needs SHA-256 thumbprints (64 hex digits) and bank ids.")
            .Validate(o => string.IsNullOrWhiteSpace(o.ClientCertificateCaPath) || File.Exists(o.ClientCertificateCaPath), "ConnectorKit:Callbacks:ClientCertificateCaPath names a file that does not exist.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectorKitGrpc();
        services.TryAddSingleton<IPlatformStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ConnectorKitCallbackOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return options.StoreKind == PlatformStoreKind.PostgreSql
                ? new PostgresPlatformStore(options.PostgresConnectionString!, time)
                : SqlitePlatformStore.ForDataDirectory(options.DataDirectory, time);
        });
        services.TryAddSingleton<ApplicationTracker>();
        services.TryAddSingleton<IApplicationTracker>(sp => sp.GetRequiredService<ApplicationTracker>());
        services.TryAddSingleton<IApplicationTimelines>(sp => sp.GetRequiredService<ApplicationTracker>());
        services.TryAddSingleton(sp => new CallbackAuthenticator(sp.GetRequiredService<IOptions<ConnectorKitCallbackOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LoanEventsReceiver>();
        services.AddHostedService<PlatformStoreMigrationService>();
        return services;
    }
}
