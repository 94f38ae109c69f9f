using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Http.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers bank adapters' typed HttpClients with the bank resilience handler.</summary>
public static class BankHttpServiceCollectionExtensions
{
    /// <summary>
    /// Adds a typed HttpClient named <paramref name="name"/> whose requests go through time-outs, retries of safe
    /// requests, a circuit breaker and an optional rate limit, configured by <paramref name="configure"/>.
    /// </summary>
    /// <returns>The client's builder, to chain base address, headers or further handlers.</returns>
    public static IHttpClientBuilder AddBankHttpClient<TClient, TImplementation>(
        this IServiceCollection services, string name, Action<BankHttpOptions> configure)
        where TClient : class
        where TImplementation : class, TClient
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore<TClient, TImplementation>(services, name, b => b.Configure(configure));
    }

    /// <summary>As the other overload, with the options bound from <paramref name="configuration"/> (a section).</summary>
    public static IHttpClientBuilder AddBankHttpClient<TClient, TImplementation>(
        this IServiceCollection services, string name, IConfiguration configuration)
        where TClient : class
        where TImplementation : class, TClient
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore<TClient, TImplementation>(services, name, b => b.Bind(configuration));
    }

    private static IHttpClientBuilder AddCore<TClient, TImplementation>(
        IServiceCollection services, string name, Action<OptionsBuilder<BankHttpOptions>> configure)
        where TClient : class
        where TImplementation : class, TClient
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);

        configure(services.AddOptions<BankHttpOptions>(name));
        services.AddOptions<BankHttpOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BankHttpOptions>, BankHttpOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BankResilience>();

        return services.AddHttpClient<TClient, TImplementation>(name)
            // The pipeline's total time-out governs; HttpClient's own 100 s default would cut a longer one short.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(sp => new BankResilienceHandler(sp.GetRequiredService<BankResilience>(), name));
    }
}
