using ConnectorKit.Connectors.Auth;
using ConnectorKit.Connectors.Auth.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds OAuth 2.0 client-credentials bearer tokens to a bank's typed HttpClient.</summary>
public static class OAuth2HttpClientBuilderExtensions
{
    /// <summary>
    /// Every request of this client carries a bearer token from the token endpoint: fetched once and shared by
    /// concurrent callers, renewed <see cref="OAuth2ClientCredentialsOptions.RefreshMargin"/> before expiry, and dropped
    /// and fetched again (the request retried once) when the API answers 401. Chain it after <c>AddBankHttpClient</c> so
    /// each retry attempt gets a current token.
    /// </summary>
    public static IHttpClientBuilder AddOAuth2ClientCredentials(this IHttpClientBuilder builder, Action<OAuth2ClientCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(builder, o => o.Configure(configure));
    }

    /// <summary>As the other overload, with the options bound from <paramref name="configuration"/> (a section).</summary>
    public static IHttpClientBuilder AddOAuth2ClientCredentials(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(builder, o => o.Bind(configuration));
    }

    private static IHttpClientBuilder AddCore(IHttpClientBuilder builder, Action<OptionsBuilder<OAuth2ClientCredentialsOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        var services = builder.Services;
        var options = services.AddOptions<OAuth2ClientCredentialsOptions>(name);
        configure(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuth2ClientCredentialsOptions>, OAuth2OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OAuth2TokenCaches>();

        // The token request goes through its own plain client: the API client's handlers (this one included) must not wrap it.
        services.AddHttpClient(OAuth2TokenCaches.TokenClientName(name))
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptionsMonitor<OAuth2ClientCredentialsOptions>>().Get(name).TokenTimeout);

        return builder.AddHttpMessageHandler(sp => new OAuth2ClientCredentialsHandler(sp.GetRequiredService<OAuth2TokenCaches>().Get(name)));
    }
}
