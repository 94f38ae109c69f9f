using ConnectorKit.Client;
using ConnectorKit.Client.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the platform's clients of the banks.</summary>
public static class ConnectorKitClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IConnectorKitClientFactory"/> (a singleton; disposing the provider closes every bank's channel) and the
    /// default <see cref="IBankTokenProvider"/> unless one is registered. Options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddConnectorKitClient(this IServiceCollection services, Action<ConnectorKitClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConnectorKitClientOptions>().Configure(configure);
        return services.AddConnectorKitClientCore();
    }

    /// <summary>As <see cref="AddConnectorKitClient(IServiceCollection, Action{ConnectorKitClientOptions})"/>, bound to a section such as <c>ConnectorKit:Client</c>.</summary>
    public static IServiceCollection AddConnectorKitClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorKitClientOptions>().Bind(configuration);
        return services.AddConnectorKitClientCore();
    }

    private static IServiceCollection AddConnectorKitClientCore(this IServiceCollection services)
    {
        services.AddOptions<ConnectorKitClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectorKitClientOptions>, ConnectorKitClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBankTokenProvider, StaticBankTokenProvider>();
        services.TryAddSingleton<IConnectorKitClientFactory, ConnectorKitClientFactory>();
        return services;
    }
}
