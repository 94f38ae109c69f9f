using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.Auth.Internal;

/// <summary>The current bearer token of one client, fetched by one caller at a time while the others wait for it.</summary>
internal sealed partial class OAuth2TokenCache(
    OAuth2ClientCredentialsOptions options,
    Func<HttpClient> createClient,
    TimeProvider timeProvider,
    ILogger<OAuth2TokenCache> logger,
    string clientName)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile AccessToken? current;

    public async ValueTask<AccessToken> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } token && timeProvider.GetUtcNow() < token.RenewAt)
        {
            return token;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before us may have fetched one already.
            if (current is { } fresh && timeProvider.GetUtcNow() < fresh.RenewAt)
            {
                return fresh;
            }

            current = await FetchAsync(cancellationToken).ConfigureAwait(false);
            return current;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops <paramref name="rejected"/> unless a newer token already replaced it.</summary>
    public void Invalidate(AccessToken rejected)
    {
        if (ReferenceEquals(Interlocked.CompareExchange(ref current, null, rejected), rejected))
        {
            LogInvalidated(logger, clientName);
        }
    }

    private async Task<AccessToken> FetchAsync(CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!string.IsNullOrWhiteSpace(options.Scope))
        {
            form.Add(new("scope", options.Scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
        var credentials = WebUtility.UrlEncode(options.ClientId) + ":" + WebUtility.UrlEncode(options.ClientSecret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var requestedAt = timeProvider.GetUtcNow();
        using var client = createClient();
        using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is 408 or 429 or >= 500)
        {
            throw new HttpRequestException($"The token endpoint of '{clientName}' answered HTTP {status}.", null, response.StatusCode);
        }

        if (!response.IsSuccessStatusCode)
        {
            var error = TryRead(body, "error");
            LogRefused(logger, clientName, status, error ?? "(none)");
            throw new OAuth2TokenException(
                $"The token endpoint of '{clientName}' refused the client credentials: HTTP {status} {error}. Check ClientId and ClientSecret.".Replace("  ", " ", StringComparison.Ordinal),
                status,
                error);
        }

        var accessToken = TryRead(body, "access_token");
        var tokenType = TryRead(body, "token_type");
        if (string.IsNullOrEmpty(accessToken) || !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new OAuth2TokenException($"The token endpoint of '{clientName}' answered without a bearer access_token.", status);
        }

        var lifetime = TryReadSeconds(body);
        var renewAt = lifetime switch
        {
            null => DateTimeOffset.MaxValue,
            { } life when life > options.RefreshMargin => requestedAt + life - options.RefreshMargin,
            { } life => requestedAt + (life / 2),
        };
        LogFetched(logger, clientName, lifetime?.TotalSeconds ?? -1);
        return new AccessToken(accessToken, renewAt);
    }

    private static string? TryRead(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(name, out var value)
                   && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? TryReadSeconds(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("expires_in", out var value) && value.ValueKind == JsonValueKind.Number
               && value.TryGetInt64(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Fetched an access token for '{Client}', valid {Seconds} s (-1: not stated).")]
    private static partial void LogFetched(ILogger logger, string client, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The token endpoint refused the credentials of '{Client}': HTTP {Status}, error {Error}.")]
    private static partial void LogRefused(ILogger logger, string client, int status, string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The bank answered 401 for '{Client}': the cached access token is dropped.")]
    private static partial void LogInvalidated(ILogger logger, string client);
}

/// <summary>A bearer token and when to stop using it.</summary>
internal sealed record AccessToken(string Value, DateTimeOffset RenewAt)
{
    // The record's generated ToString would print the token.
    public override string ToString() => $"AccessToken(****, renew at {RenewAt:O})";
}
