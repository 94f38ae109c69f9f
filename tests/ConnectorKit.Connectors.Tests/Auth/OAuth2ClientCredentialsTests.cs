using System.Net;
using System.Text;
using ConnectorKit.Connectors.Auth;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Tests.Testing;
using ConnectorKit.Grpc;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.Tests.Auth;

/// <summary>Bearer tokens from a real token endpoint (WireMock), counted in its journal, on a clock the test moves.</summary>
public sealed class OAuth2ClientCredentialsTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>, IAsyncLifetime
{
    private const string ClientName = "oauth-bank";
    private const string Token = "/oauth2/token";
    private const string Api = "/api/accounts";
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    private readonly ManualClock clock = new(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
    private ServiceProvider? provider;

    private WireMockServer Server => fixture.Server;

    public async Task InitializeAsync()
    {
        await Server.ResetAsync().WaitAsync(Timeout);
        await Server.AddMappingAsync("""
            {"request":{"method":"POST","urlPath":"/oauth2/token"},
             "response":{"status":200,"headers":{"Content-Type":"application/json"},
                         "jsonBody":{"access_token":"tok-A","token_type":"Bearer","expires_in":3600}}}
            """).WaitAsync(Timeout);
        await Server.AddMappingAsync("""
            {"request":{"method":"GET","urlPath":"/api/accounts","headers":{"Authorization":{"equalTo":"Bearer tok-A"}}},
             "response":{"status":200,"body":"[]"}}
            """).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task SendAsync_ManyConcurrentCalls_OneTokenRequestSharedByAll()
    {
        var client = CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync(Api))).WaitAsync(Timeout);
        var tokenRequests = await Server.FindRequestsAsync(HttpMethod.Post, Token).WaitAsync(Timeout);
        var apiRequests = await Server.FindRequestsAsync(HttpMethod.Get, Api).WaitAsync(Timeout);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var tokenRequest = Assert.Single(tokenRequests);
        // client_secret_basic: id and secret form-encoded, then joined and base64-encoded (RFC 6749 §2.3.1).
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ck+client:p%40ss%3Aword")), tokenRequest.Headers["Authorization"]);
        Assert.Equal("grant_type=client_credentials&scope=accounts+loans", tokenRequest.Body);
        Assert.Equal(20, apiRequests.Count);
        Assert.All(apiRequests, r => Assert.Equal("Bearer tok-A", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task SendAsync_ClockPassesExpiryMinusMargin_TokenFetchedAgain()
    {
        var client = CreateClient(refreshMargin: TimeSpan.FromSeconds(60));
        await client.GetAsync(Api).WaitAsync(Timeout);

        clock.Advance(TimeSpan.FromSeconds(3600 - 60 - 1));
        await client.GetAsync(Api).WaitAsync(Timeout);
        var beforeMargin = (await Server.FindRequestsAsync(HttpMethod.Post, Token).WaitAsync(Timeout)).Count;
        clock.Advance(TimeSpan.FromSeconds(2));
        await client.GetAsync(Api).WaitAsync(Timeout);
        var afterMargin = (await Server.FindRequestsAsync(HttpMethod.Post, Token).WaitAsync(Timeout)).Count;

        Assert.Equal(1, beforeMargin);
        Assert.Equal(2, afterMargin);
    }

    [Fact]
    public async Task SendAsync_ApiAnswers401Once_TokenDroppedAndRequestRetriedOnceWithANewOne()
    {
        await Server.AddMappingAsync("""
            {"priority":1,"scenarioName":"revoked","requiredScenarioState":"Started","newScenarioState":"ok",
             "request":{"method":"GET","urlPath":"/api/accounts"},"response":{"status":401}}
            """).WaitAsync(Timeout);
        var client = CreateClient();

        using var response = await client.GetAsync(Api).WaitAsync(Timeout);
        var tokenRequests = await Server.FindRequestsAsync(HttpMethod.Post, Token).WaitAsync(Timeout);
        var apiRequests = await Server.FindRequestsAsync(HttpMethod.Get, Api).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, tokenRequests.Count);
        Assert.Equal(2, apiRequests.Count);
    }

    [Fact]
    public async Task SendAsync_ApiAnswers401Always_401ReturnedAfterExactlyOneRetry()
    {
        await Server.AddMappingAsync("""{"priority":1,"request":{"method":"GET","urlPath":"/api/accounts"},"response":{"status":401}}""").WaitAsync(Timeout);
        var client = CreateClient();

        using var response = await client.GetAsync(Api).WaitAsync(Timeout);
        var apiRequests = await Server.FindRequestsAsync(HttpMethod.Get, Api).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, apiRequests.Count);
    }

    [Fact]
    public async Task SendAsync_PostAfter401_SameBodySentTwice()
    {
        await Server.AddMappingAsync("""
            {"scenarioName":"post-revoked","requiredScenarioState":"Started","newScenarioState":"ok",
             "request":{"method":"POST","urlPath":"/api/accounts"},"response":{"status":401}}
            """).WaitAsync(Timeout);
        await Server.AddMappingAsync("""
            {"scenarioName":"post-revoked","requiredScenarioState":"ok",
             "request":{"method":"POST","urlPath":"/api/accounts"},"response":{"status":201}}
            """).WaitAsync(Timeout);
        var client = CreateClient();

        using var response = await client.PostAsync(Api, new StringContent("""{"name":"settlement"}""", Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        var posts = await Server.FindRequestsAsync(HttpMethod.Post, Api).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal("""{"name":"settlement"}""", p.Body));
    }

    [Fact]
    public async Task SendAsync_TokenEndpointRefusesCredentials_OAuth2TokenExceptionMappedToInternal()
    {
        await Server.AddMappingAsync("""
            {"priority":1,"request":{"method":"POST","urlPath":"/oauth2/token"},
             "response":{"status":401,"headers":{"Content-Type":"application/json"},"jsonBody":{"error":"invalid_client"}}}
            """).WaitAsync(Timeout);
        var client = CreateClient();

        var error = await Assert.ThrowsAsync<OAuth2TokenException>(() => client.GetAsync(Api).WaitAsync(Timeout));
        var mapped = BankErrorMapper.Map(error, "bank-test");

        Assert.Equal("invalid_client", error.Error);
        Assert.DoesNotContain("p@ss", error.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Internal, mapped.StatusCode);
        Assert.Equal("OAUTH2_INVALID_CLIENT", mapped.GetDetail<ErrorInfo>()?.Reason);
        Assert.Empty(await Server.FindRequestsAsync(HttpMethod.Get, Api).WaitAsync(Timeout));
    }

    [Fact]
    public async Task SendAsync_TokenEndpointUnavailable_HttpRequestExceptionSoRetriesApply()
    {
        await Server.AddMappingAsync("""{"priority":1,"request":{"method":"POST","urlPath":"/oauth2/token"},"response":{"status":503}}""").WaitAsync(Timeout);
        var client = CreateClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(Api).WaitAsync(Timeout));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(StatusCode.Unavailable, BankErrorMapper.Map(error, "bank-test").StatusCode);
    }

    [Fact]
    public void Options_SecretMissing_ValidationNamesTheSetting()
    {
        var services = new ServiceCollection();
        services.AddHttpClient(ClientName).AddOAuth2ClientCredentials(o => o.TokenEndpoint = new Uri("https://bank.example/oauth2/token"));
        using var built = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => built.GetRequiredService<IOptionsMonitor<OAuth2ClientCredentialsOptions>>().Get(ClientName));

        Assert.Contains("ClientId is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClientSecret is required", error.Message, StringComparison.Ordinal);
    }

    private HttpClient CreateClient(TimeSpan? refreshMargin = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddHttpClient(ClientName, c => c.BaseAddress = Server.BaseAddress)
            .AddOAuth2ClientCredentials(o =>
            {
                o.TokenEndpoint = new Uri(Server.BaseAddress, Token.TrimStart('/'));
                o.ClientId = "ck client";
                o.ClientSecret = "p@ss:word";
                o.Scope = "accounts loans";
                o.RefreshMargin = refreshMargin ?? TimeSpan.FromSeconds(60);
            });
        provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
    }
}
