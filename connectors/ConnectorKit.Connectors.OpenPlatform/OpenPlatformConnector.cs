using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.OpenPlatform.Internal;
using ConnectorKit.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform;

/// <summary>
/// A bank behind an open-platform gateway (ICBC and Alipay open platform style): every call is a signed form POST to
/// one URL naming a method, every answer and notification is signed by the bank. See the package README and
/// <c>methods.md</c> for the methods, return codes and their gRPC statuses.
/// </summary>
public sealed class OpenPlatformConnector : BankConnector
{
    /// <summary>The HttpClient name, also the name of its <see cref="BankHttpOptions"/>.</summary>
    public const string HttpClientName = "open-platform";

    public override string Name => "open-platform";

    public override void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<OpenPlatformOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenPlatformOptions>, OpenPlatformOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayKeys>();

        var http = configuration.GetSection("Http");
        services.AddBankHttpClient<GatewayHttpClient, GatewayHttpClient>(HttpClientName, o =>
            {
                http.Bind(o);

                // The connector retries with a fresh msg_id itself; the handler would resend the same signed form.
                o.MaxRetryAttempts = 0;
            })
            .ConfigureHttpClient((sp, client) => client.BaseAddress = sp.GetRequiredService<IOptions<OpenPlatformOptions>>().Value.GatewayUrl);
        services.TryAddSingleton<IGatewayTransport, GatewayTransport>();
        services.TryAddSingleton<GatewayCaller>();
        services.AddSingleton<IBankBackend, OpenPlatformBackend>();

        // The server's TryAdd of the reference policy ran first; the last registration is the one resolved.
        services.AddSingleton<IPricingPolicy, OpenPlatformPricingPolicy>();
        services.TryAddSingleton<NotificationHandler>();
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<OpenPlatformOptions>>().Value;
        endpoints.MapPost(options.NotifyPath, (HttpContext context, NotificationHandler handler) => handler.HandleAsync(context));
    }
}
