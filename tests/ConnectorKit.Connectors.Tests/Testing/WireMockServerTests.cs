using System.Net;
using System.Text;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.Tests.Testing;

public sealed class WireMockServerTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    private WireMockServer Server => fixture.Server;

    public Task InitializeAsync() => Server.ResetAsync().WaitAsync(Timeout);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task LoadMappingsFromDirectory_SingleAndListFiles_EveryStubAnswers()
    {
        using var client = fixture.CreateClient();

        var loaded = await Server.LoadMappingsFromDirectoryAsync(WireMockFixture.MappingsFolder).WaitAsync(Timeout);
        var ping = await client.GetStringAsync("ping").WaitAsync(Timeout);
        using var created = await client.SendAsync(PostPayment("key-1", "{}")).WaitAsync(Timeout);
        var settled = await client.GetStringAsync("v1/payments/pay_1").WaitAsync(Timeout);

        Assert.Equal(3, loaded);
        Assert.Equal("pong", ping);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("\"settled\"", settled);
    }

    [Fact]
    public async Task GetRequests_PostWithIdempotencyKey_JournalHoldsHeaderAndBody()
    {
        await Server.LoadMappingsFromDirectoryAsync(WireMockFixture.MappingsFolder).WaitAsync(Timeout);
        using var client = fixture.CreateClient();
        using var first = await client.GetAsync("ping").WaitAsync(Timeout);
        using var created = await client.SendAsync(PostPayment("idem-42", """{"amount":12345}""")).WaitAsync(Timeout);

        var requests = await Server.GetRequestsAsync().WaitAsync(Timeout);

        Assert.Equal(["GET /ping", "POST /v1/payments"], requests.Select(r => $"{r.Method} {r.Url}"));
        var post = requests[1];
        Assert.Equal("idem-42", post.Headers["idempotency-key"]);
        Assert.Equal("""{"amount":12345}""", post.Body);
        Assert.InRange(post.LoggedDate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task FindRequests_MethodAndPath_ReturnsOnlyThoseIgnoringQuery()
    {
        await Server.LoadMappingsFromDirectoryAsync(WireMockFixture.MappingsFolder).WaitAsync(Timeout);
        using var client = fixture.CreateClient();
        using var a = await client.SendAsync(PostPayment("k-a", "{}")).WaitAsync(Timeout);
        using var b = await client.GetAsync("v1/payments/pay_1?expand=all").WaitAsync(Timeout);
        using var c = await client.SendAsync(PostPayment("k-c", "{}")).WaitAsync(Timeout);

        var posts = await Server.FindRequestsAsync(HttpMethod.Post, "/v1/payments").WaitAsync(Timeout);
        var gets = await Server.FindRequestsAsync(HttpMethod.Get, "/v1/payments/pay_1").WaitAsync(Timeout);

        Assert.Equal(["k-a", "k-c"], posts.Select(r => r.Headers["Idempotency-Key"]));
        Assert.Equal("/v1/payments/pay_1?expand=all", Assert.Single(gets).Url);
    }

    [Fact]
    public async Task Scenario_Flaky_Answers503Then200()
    {
        await AddFlakyScenarioAsync();
        using var client = fixture.CreateClient();

        using var first = await client.GetAsync("v1/status").WaitAsync(Timeout);
        using var second = await client.GetAsync("v1/status").WaitAsync(Timeout);
        using var third = await client.GetAsync("v1/status").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task SetScenarioState_Recovered_SkipsThe503()
    {
        await AddFlakyScenarioAsync();
        using var client = fixture.CreateClient();

        await Server.SetScenarioStateAsync("flaky", "recovered").WaitAsync(Timeout);
        using var response = await client.GetAsync("v1/status").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ResetScenarios_AfterRecovery_AnswersThe503Again()
    {
        await AddFlakyScenarioAsync();
        using var client = fixture.CreateClient();
        using var failed = await client.GetAsync("v1/status").WaitAsync(Timeout);

        await Server.ResetScenariosAsync().WaitAsync(Timeout);
        using var again = await client.GetAsync("v1/status").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
    }

    [Fact]
    public async Task Reset_AfterCalls_ClearsMappingsAndJournal()
    {
        await Server.LoadMappingsFromDirectoryAsync(WireMockFixture.MappingsFolder).WaitAsync(Timeout);
        using var client = fixture.CreateClient();
        using var before = await client.GetAsync("ping").WaitAsync(Timeout);

        await Server.ResetAsync().WaitAsync(Timeout);
        var journal = await Server.GetRequestsAsync().WaitAsync(Timeout);
        using var after = await client.GetAsync("ping").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Empty(journal);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task StubStatus_WithRetryAfter_ClientSeesStatusRetryAfterAndBody(int status)
    {
        using var client = fixture.CreateClient();

        await Server.StubStatusAsync(HttpMethod.Post, "/v1/payments", status, retryAfterSeconds: 7, body: "slow down").WaitAsync(Timeout);
        using var response = await client.SendAsync(PostPayment("k", "{}")).WaitAsync(Timeout);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("slow down", await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task StubStatus_AfterLoadedMappings_OverridesTheHappyPath()
    {
        await Server.LoadMappingsFromDirectoryAsync(WireMockFixture.MappingsFolder).WaitAsync(Timeout);
        using var client = fixture.CreateClient();

        await Server.StubStatusAsync(HttpMethod.Get, "/ping", 503).WaitAsync(Timeout);
        using var response = await client.GetAsync("ping").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task StubDelay_BeyondClientTimeout_ClientTimesOut()
    {
        using var client = fixture.CreateClient(timeout: TimeSpan.FromMilliseconds(300));
        await Server.StubDelayAsync(HttpMethod.Get, "/slow", TimeSpan.FromSeconds(3)).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync("slow").WaitAsync(Timeout));

        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task StubDelay_WithinClientTimeout_AnswersAfterTheDelay()
    {
        using var client = fixture.CreateClient();
        await Server.StubDelayAsync(HttpMethod.Get, "/slow", TimeSpan.FromMilliseconds(500)).WaitAsync(Timeout);
        var started = DateTimeOffset.UtcNow;

        using var response = await client.GetAsync("slow").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(450), "the answer came before the delay");
    }

    [Theory]
    [InlineData(WireMockFault.ConnectionResetByPeer)]
    [InlineData(WireMockFault.EmptyResponse)]
    [InlineData(WireMockFault.RandomDataThenClose)]
    public async Task StubFault_ConnectionLevel_ClientThrowsHttpRequestException(WireMockFault fault)
    {
        using var client = fixture.CreateClient();
        await Server.StubFaultAsync(HttpMethod.Post, "/v1/payments", fault).WaitAsync(Timeout);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(PostPayment("k", "{}")).WaitAsync(Timeout));

        var journal = await Server.FindRequestsAsync(HttpMethod.Post, "/v1/payments").WaitAsync(Timeout);
        Assert.Single(journal);
    }

    [Fact]
    public async Task StubFault_MalformedChunk_HeadersArriveThenReadingTheBodyThrows()
    {
        using var client = fixture.CreateClient();
        await Server.StubFaultAsync(HttpMethod.Get, "/v1/payments/pay_1", WireMockFault.MalformedResponseChunk).WaitAsync(Timeout);

        using var response = await client.GetAsync("v1/payments/pay_1", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync().WaitAsync(Timeout));
        Assert.IsType<HttpIOException>(error.InnerException);
    }

    [Fact]
    public async Task Connect_ToStartedServer_SharesMappingsAndJournal()
    {
        await using var connected = WireMockServer.Connect(new Uri(Server.BaseAddress.ToString().TrimEnd('/')));
        using var client = fixture.CreateClient();

        await connected.StubStatusAsync(HttpMethod.Get, "/via-connect", 202).WaitAsync(Timeout);
        using var response = await client.GetAsync("via-connect").WaitAsync(Timeout);
        var seenByStarted = await Server.FindRequestsAsync(HttpMethod.Get, "/via-connect").WaitAsync(Timeout);

        Assert.Equal(Server.BaseAddress, connected.BaseAddress);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(seenByStarted);
    }

    [Fact]
    public async Task Connect_Disposed_LeavesTheServerRunning()
    {
        var connected = WireMockServer.Connect(Server.BaseAddress);

        await connected.DisposeAsync().AsTask().WaitAsync(Timeout);
        var journal = await Server.GetRequestsAsync().WaitAsync(Timeout);

        Assert.Empty(journal);
    }

    private static HttpRequestMessage PostPayment(string idempotencyKey, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/payments")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private async Task AddFlakyScenarioAsync()
    {
        await Server.AddMappingAsync("""
            {
              "scenarioName": "flaky",
              "requiredScenarioState": "Started",
              "newScenarioState": "recovered",
              "request": { "method": "GET", "urlPath": "/v1/status" },
              "response": { "status": 503, "headers": { "Retry-After": "1" } }
            }
            """).WaitAsync(Timeout);
        await Server.AddMappingAsync("""
            {
              "scenarioName": "flaky",
              "requiredScenarioState": "recovered",
              "request": { "method": "GET", "urlPath": "/v1/status" },
              "response": { "status": 200, "body": "ok" }
            }
            """).WaitAsync(Timeout);
    }
}
