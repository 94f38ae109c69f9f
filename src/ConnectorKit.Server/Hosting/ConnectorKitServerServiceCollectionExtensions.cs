using ConnectorKit.Server;
using ConnectorKit.Server.Hosting;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Outbox;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what a bank needs to serve the ConnectorKit contract.</summary>
public static class ConnectorKitServerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ConnectorKit server: the gRPC runtime, validation, the store (migrated at start-up), the state
    /// machine (<see cref="ILoanDecisions"/>), the reference pricing policy unless an <see cref="IPricingPolicy"/> is
    /// registered, authentication, telemetry and the outbox dispatcher. Options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddConnectorKitServer(this IServiceCollection services, Action<ConnectorKitServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConnectorKitServerOptions>().Configure(configure);
        return services.AddConnectorKitServerCore();
    }

    /// <summary>As <see cref="AddConnectorKitServer(IServiceCollection, Action{ConnectorKitServerOptions})"/>, bound to a configuration section such as <c>ConnectorKit:Server</c>.</summary>
    public static IServiceCollection AddConnectorKitServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorKitServerOptions>().Bind(configuration);
        return services.AddConnectorKitServerCore();
    }

    private static IServiceCollection AddConnectorKitServerCore(this IServiceCollection services)
    {
        services.AddOptions<ConnectorKitServerOptions>()
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrWhiteSpace(o.BankId), "ConnectorKit:Server:BankId is required.")
            .Validate(o => o.Store != StoreKind.PostgreSql || !string.IsNullOrWhiteSpace(o.PostgresConnectionString), "ConnectorKit:Server:PostgresConnectionString is required when Store is PostgreSql.")
            .Validate(o => o.Platform.Address is null || o.Platform.Address.Scheme is "http" or "https", "ConnectorKit:Server:Platform:Address must be an http:// or https:// URL.")
            .Validate(o => o.ConsentClockSkew >= TimeSpan.Zero && o.ConsentClockSkew <= TimeSpan.FromHours(1), "ConnectorKit:Server:ConsentClockSkew must lie between 0 and 1 hour.")
            .Validate(o => o.RateLimit.CallsPerSecond is >= 0 and <= 1_000_000 && o.RateLimit.Burst is >= 0 and <= 10_000_000, "ConnectorKit:Server:RateLimit needs CallsPerSecond between 0 and 1,000,000 and Burst between 0 and 10,000,000.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddConnectorKitGrpc(grpc =>
        {
            grpc.Interceptors.Add<TelemetryInterceptor>();
            grpc.Interceptors.Add<PlatformAuthenticationInterceptor>();
            grpc.Interceptors.Add<PlatformRateLimitInterceptor>();
        });

        services.TryAddSingleton<IConnectorKitStore>(sp => ConnectorKitStoreFactory.Create(sp.GetRequiredService<IOptions<ConnectorKitServerOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IOutboxStore>(sp => sp.GetRequiredService<IConnectorKitStore>());
        services.TryAddSingleton<RequestValidator>(sp => new RequestValidator(
            sp.GetRequiredService<IOptions<ConnectorKitServerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RequestValidator>>()));
        services.TryAddSingleton<IPricingPolicy, ReferencePricingPolicy>();
        services.TryAddSingleton<ConnectorKitServerTelemetry>();
        services.TryAddSingleton<ApplicationStateMachine>();
        services.TryAddSingleton<ILoanDecisions>(sp => sp.GetRequiredService<ApplicationStateMachine>());
        services.TryAddSingleton<IBankSignals>(sp => sp.GetRequiredService<ApplicationStateMachine>());
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<IOutboxSignal>(sp => sp.GetRequiredService<OutboxSignal>());
        services.TryAddSingleton<IPlatformChannelProvider, SecurePlatformChannelProvider>();
        services.TryAddSingleton<OutboxDispatcher>();

        // Start-up order matters: migrate first, then deliver.
        services.AddHostedService<StoreMigrationService>();
        services.AddHostedService(sp => new DispatcherHost(sp.GetRequiredService<IOptions<ConnectorKitServerOptions>>(), sp.GetRequiredService<OutboxDispatcher>()));

        services.TryAddSingleton<CreditDataServiceImpl>();
        services.TryAddSingleton<LoanApplicationsServiceImpl>();
        return services;
    }
}
