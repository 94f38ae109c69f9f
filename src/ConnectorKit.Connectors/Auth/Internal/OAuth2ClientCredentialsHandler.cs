using System.Net;
using System.Net.Http.Headers;

namespace ConnectorKit.Connectors.Auth.Internal;

/// <summary>Puts the cached bearer token on each attempt; after a 401 drops it and sends once more with a new one.</summary>
internal sealed class OAuth2ClientCredentialsHandler(OAuth2TokenCache cache) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // The second send after a 401 needs the same body again.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var token = await cache.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Revoked or expired early at the bank; one retry with a fresh token, and a second 401 is the answer.
        cache.Invalidate(token);
        response.Dispose();
        token = await cache.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
