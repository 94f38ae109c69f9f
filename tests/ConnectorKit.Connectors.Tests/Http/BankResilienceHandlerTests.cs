using System.Diagnostics;
using System.Net;
using System.Text;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Tests.Testing;
using ConnectorKit.Grpc;
using Google.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using static ConnectorKit.Connectors.Tests.Http.BankHttpTestHost;

namespace ConnectorKit.Connectors.Tests.Http;

public sealed class BankResilienceHandlerTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    private WireMockServer Server => fixture.Server;

    public Task InitializeAsync() => Server.ResetAsync().WaitAsync(Timeout);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_503TwiceThen200_SucceedsAfterThreeRequests()
    {
        await StubSequenceAsync(Server, HttpMethod.Get, "/loans/1", Status(503), Status(503), Status(200)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);

        using var response = await host.Client.GetAsync("loans/1").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await Server.FindRequestsAsync(HttpMethod.Get, "/loans/1").WaitAsync(Timeout)).Count);
    }

    [Fact]
    public async Task Get_429WithRetryAfterOneSecond_NextAttemptWaitsForIt()
    {
        await StubSequenceAsync(Server, HttpMethod.Get, "/quotes", Status(429, "1"), Status(200)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        var watch = Stopwatch.StartNew();

        using var response = await host.Client.GetAsync("quotes").WaitAsync(Timeout);

        watch.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        var requests = await Server.FindRequestsAsync(HttpMethod.Get, "/quotes").WaitAsync(Timeout);
        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public async Task Get_RetryAfterBeyondMaxRetryAfter_NotWaitedForAndMappedWithIt()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/quotes", 429, retryAfterSeconds: 120).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server, o => o.MaxRetryAfter = TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();

        using var response = await host.Client.GetAsync("quotes").WaitAsync(Timeout);
        var error = await BankErrorMapper.MapAsync(response, BankId).WaitAsync(Timeout);

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Single(await Server.FindRequestsAsync(HttpMethod.Get, "/quotes").WaitAsync(Timeout));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("120", error.GetDetail<ErrorInfo>()?.Metadata[BankErrorMapper.RetryAfterKey]);
        Assert.Contains("120", error.Status.Detail);
    }

    [Fact]
    public async Task Post_WithoutIdempotencyKeyAnd503_NotRetried()
    {
        await Server.StubStatusAsync(HttpMethod.Post, "/v1/applications", 503).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);

        using var response = await host.Client.PostAsync("v1/applications", Json("""{"amount":100}""")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(await Server.FindRequestsAsync(HttpMethod.Post, "/v1/applications").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Post_WithIdempotencyKeyAnd503_RetriedWithSameKeyAndBody()
    {
        await StubSequenceAsync(Server, HttpMethod.Post, "/v1/applications", Status(503), Status(201)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/applications") { Content = Json("""{"amount":12345}""") };
        request.Headers.Add("Idempotency-Key", "idem-7");

        using var response = await host.Client.SendAsync(request).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var requests = await Server.FindRequestsAsync(HttpMethod.Post, "/v1/applications").WaitAsync(Timeout);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("idem-7", r.Headers["Idempotency-Key"]));
        Assert.All(requests, r => Assert.Equal("""{"amount":12345}""", r.Body));
    }

    [Fact]
    public async Task Post_MarkedIdempotentInOptions_Retried()
    {
        await StubSequenceAsync(Server, HttpMethod.Post, "/gateway", Status(502), Status(200)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "gateway") { Content = Json("""{"method":"query"}""") };
        request.Options.Set(BankHttpRequestOptions.Idempotent, true);

        using var response = await host.Client.SendAsync(request).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await Server.FindRequestsAsync(HttpMethod.Post, "/gateway").WaitAsync(Timeout)).Count);
    }

    [Fact]
    public async Task Get_ConnectionResetThenSuccess_Retried()
    {
        await StubSequenceAsync(Server, HttpMethod.Get, "/loans/2", Fault("CONNECTION_RESET_BY_PEER"), Status(200)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);

        using var response = await host.Client.GetAsync("loans/2").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await Server.FindRequestsAsync(HttpMethod.Get, "/loans/2").WaitAsync(Timeout)).Count);
    }

    [Fact]
    public async Task Get_EachAttemptSlowerThanTimeout_RetriedThenDeadlineExceeded()
    {
        await Server.StubDelayAsync(HttpMethod.Get, "/slow", TimeSpan.FromSeconds(3)).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.TotalTimeout = TimeSpan.FromMilliseconds(1000);
            o.MaxRetryAttempts = 10;
        });
        var watch = Stopwatch.StartNew();

        var thrown = await Assert.ThrowsAsync<BankDeadlineExceededException>(() => host.Client.GetAsync("slow").WaitAsync(Timeout));

        watch.Stop();
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        Assert.Equal(StatusCode.DeadlineExceeded, BankErrorMapper.Map(thrown, BankId).StatusCode);
        // WireMock journals a request once it has answered, i.e. after its delay.
        await Task.Delay(TimeSpan.FromSeconds(3.5)).WaitAsync(Timeout);
        Assert.InRange((await Server.FindRequestsAsync(HttpMethod.Get, "/slow").WaitAsync(Timeout)).Count, 2, 10);
    }

    [Fact]
    public async Task Get_RepeatedFailures_BreakerOpensFailsFastThenRecovers()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/flaky", 503).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server, o =>
        {
            o.BreakerMinimumThroughput = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerSamplingDuration = TimeSpan.FromSeconds(10);
            o.BreakerBreakDuration = TimeSpan.FromSeconds(1);
        });

        await Assert.ThrowsAsync<BrokenCircuitException>(() => host.Client.GetAsync("flaky").WaitAsync(Timeout));
        var afterOpening = (await Server.FindRequestsAsync(HttpMethod.Get, "/flaky").WaitAsync(Timeout)).Count;
        var failFast = await Assert.ThrowsAsync<BrokenCircuitException>(() => host.Client.GetAsync("flaky").WaitAsync(Timeout));
        var afterFailFast = (await Server.FindRequestsAsync(HttpMethod.Get, "/flaky").WaitAsync(Timeout)).Count;
        await Server.ResetAsync().WaitAsync(Timeout);
        await Server.StubStatusAsync(HttpMethod.Get, "/flaky", 200).WaitAsync(Timeout);
        await Task.Delay(TimeSpan.FromSeconds(1.2)).WaitAsync(Timeout);
        using var recovered = await host.Client.GetAsync("flaky").WaitAsync(Timeout);

        Assert.Equal(2, afterOpening);
        Assert.Equal(afterOpening, afterFailFast);
        var mapped = BankErrorMapper.Map(failFast, BankId);
        Assert.Equal(StatusCode.Unavailable, mapped.StatusCode);
        Assert.Equal("CIRCUIT_OPEN", mapped.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task Get_RateLimitFivePerSecond_TenCallsTakeAboutOneSecond()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/ping", 200).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server, o => o.RateLimitPerSecond = 5);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 10; i++)
        {
            using var response = await host.Client.GetAsync("ping").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        watch.Stop();
        // A full bucket lets 5 through at once; the other 5 wait 200 ms apiece.
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Send_BreakDurationBelowPollyMinimum_FailsValidation()
    {
        await using var host = new BankHttpTestHost(Server, o => o.BreakerBreakDuration = TimeSpan.FromMilliseconds(100));

        var thrown = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Client.GetAsync("ping").WaitAsync(Timeout));

        Assert.Contains("BreakerBreakDuration", thrown.Message);
    }

    [Fact]
    public async Task AddBankHttpClient_FromConfiguration_BindsOptions()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/loans/3", 503).WaitAsync(Timeout);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bank:MaxRetryAttempts"] = "1", ["Bank:BaseDelay"] = "00:00:00.010" })
            .Build();
        var services = new ServiceCollection();
        services.AddBankHttpClient<ITestBank, TestBank>(BankId, configuration.GetSection("Bank"))
            .ConfigureHttpClient(c => c.BaseAddress = Server.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<ITestBank>().Http.GetAsync("loans/3").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, (await Server.FindRequestsAsync(HttpMethod.Get, "/loans/3").WaitAsync(Timeout)).Count);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
