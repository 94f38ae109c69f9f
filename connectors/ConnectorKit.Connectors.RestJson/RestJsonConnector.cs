using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.RestJson.Internal;
using ConnectorKit.Connectors.Webhooks;
using ConnectorKit.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.RestJson;

/// <summary>
/// A bank with a REST/JSON API: OAuth2 client credentials, <c>Idempotency-Key</c> on every POST, problem+json
/// errors, Standard Webhooks for decisions and disbursements (verified at <see cref="RestJsonWebhookOptions.Path"/>),
/// polling of open applications as a catch-up, and quotes from the bank. See the package README for configuration.
/// </summary>
public sealed class RestJsonConnector : BankConnector
{
    /// <summary>The connector's name: <c>rest-json</c>.</summary>
    public const string ConnectorName = "rest-json";

    public override string Name => ConnectorName;

    public override ConnectorCapabilities Capabilities => ConnectorCapabilities.All;

    public override void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RestJsonOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RestJsonOptions>, RestJsonOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BankIdentity(sp.GetRequiredService<IOptions<ConnectorKitServerOptions>>().Value.BankId));

        services.AddBankHttpClient<RestJsonBankApi, RestJsonBankApi>(ConnectorName, configuration.GetSection("Http"))
            .ConfigureHttpClient((sp, client) => client.BaseAddress = WithSlash(sp.GetRequiredService<IOptions<RestJsonOptions>>().Value.BaseAddress))
            .AddOAuth2ClientCredentials(o =>
            {
                var bound = configuration.Get<RestJsonOptions>() ?? new RestJsonOptions();
                o.TokenEndpoint = bound.TokenEndpoint
                    ?? (bound.BaseAddress is { IsAbsoluteUri: true } baseAddress ? new Uri(WithSlash(baseAddress)!, "oauth2/token") : null);
                o.ClientId = bound.ClientId;
                o.ClientSecret = bound.ClientSecret;
                o.Scope = bound.Scope;
                o.RefreshMargin = bound.TokenRefreshMargin;
            });

        services.AddSingleton<IBankBackend, RestJsonBackend>();
        // Replace, not TryAdd: the server registered its reference policy first.
        services.Replace(ServiceDescriptor.Singleton<IPricingPolicy, RestJsonPricingPolicy>());
        services.AddSingleton<RestJsonSignals>();
        services.AddSingleton(sp =>
        {
            var webhook = sp.GetRequiredService<IOptions<RestJsonOptions>>().Value.Webhook;
            return new StandardWebhookVerifier(new StandardWebhookOptions { Secrets = webhook.Secrets, Tolerance = webhook.Tolerance }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<RestJsonPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<RestJsonPoller>());
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var path = endpoints.ServiceProvider.GetRequiredService<IOptions<RestJsonOptions>>().Value.Webhook.Path;
        endpoints.MapPost(path, RestJsonWebhookEndpoint.HandleAsync).DisableAntiforgery();
    }

    private static Uri? WithSlash(Uri? address)
        => address is null || address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
}
