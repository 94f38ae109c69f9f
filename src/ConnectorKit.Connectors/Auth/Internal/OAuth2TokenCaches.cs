using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.Auth.Internal;

/// <summary>One token cache per named client, outliving the handlers the factory recycles.</summary>
internal sealed class OAuth2TokenCaches(
    IOptionsMonitor<OAuth2ClientCredentialsOptions> options,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, Lazy<OAuth2TokenCache>> caches = new(StringComparer.Ordinal);

    public static string TokenClientName(string name) => "ConnectorKit.OAuth2:" + name;

    public OAuth2TokenCache Get(string name) => caches.GetOrAdd(name, n => new Lazy<OAuth2TokenCache>(() => new OAuth2TokenCache(
        options.Get(n),
        () => httpClientFactory.CreateClient(TokenClientName(n)),
        timeProvider,
        loggerFactory.CreateLogger<OAuth2TokenCache>(),
        n))).Value;
}
