using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Connectors;
using ConnectorKit.Connectors.RestJson;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>
/// The suite earns its keep only if it catches real mistakes: reference connectors broken on purpose must fail it,
/// with the case id and a reason an engineer can act on.
/// </summary>
public sealed class BrokenConnectorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RunAsync_ConnectorDroppingTheIdempotencyKey_FailsTheIdempotencyCases()
    {
        var report = await RunAsync(new RestJsonBroken(http => http.AddHttpMessageHandler(() => new HeaderHandler(request => request.Headers.Remove("Idempotency-Key")))), "CK-IDEM-*");

        var failed = Assert.Single(report.Cases, c => c.Id == "CK-IDEM-001");
        Assert.Equal(ConformanceOutcome.Failed, failed.Outcome);
        Assert.True(failed.Reason.Contains("Idempotency-Key", StringComparison.Ordinal), failed.Reason);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public async Task RunAsync_ConnectorWithANewIdempotencyKeyPerCall_FailsConcurrentDuplicatesSayingWhatTheBankSaw()
    {
        var report = await RunAsync(
            new RestJsonBroken(http => http.AddHttpMessageHandler(() => new HeaderHandler(request =>
            {
                if (request.Headers.Remove("Idempotency-Key"))
                {
                    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                }
            }))),
            "CK-IDEM-004");

        var failed = Assert.Single(report.Cases);
        Assert.Equal(ConformanceOutcome.Failed, failed.Outcome);
        Assert.Matches(@"^The bank saw [2-8] submissions of APP-\w+ for eight concurrent duplicates; it must see one\.$", failed.Reason);
    }

    [Fact]
    public async Task RunAsync_ConnectorAcknowledgingWebhooksBeforeApplyingThem_FailsTheEarlyTrancheCase()
    {
        var report = await RunAsync(new RestJsonAcknowledgesFirst(), "CK-CB-006");

        var failed = Assert.Single(report.Cases);
        Assert.Equal(ConformanceOutcome.Failed, failed.Outcome);
        Assert.StartsWith("The target acknowledged a tranche for an application that is not approved", failed.Reason, StringComparison.Ordinal);
    }

    private static async Task<ConformanceReport> RunAsync(BankConnector broken, string filter)
    {
        await using var target = await ConnectorTarget.StartAsync(new SwappedKit(new RestJsonTestKit(), broken)).WaitAsync(Timeout);
        return await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Filter = filter }).WaitAsync(Timeout);
    }

    /// <summary>The REST/JSON connector with a change to the HTTP client it calls the bank with.</summary>
    private sealed class RestJsonBroken(Action<IHttpClientBuilder> breakIt) : BankConnector
    {
        private readonly RestJsonConnector _inner = new();

        public override string Name => _inner.Name;

        public override void ConfigureServices(IServiceCollection services, IConfiguration configuration)
        {
            _inner.ConfigureServices(services, configuration);
            breakIt(services.AddHttpClient(RestJsonConnector.ConnectorName));
        }

        public override void MapEndpoints(IEndpointRouteBuilder endpoints) => _inner.MapEndpoints(endpoints);
    }

    /// <summary>
    /// The REST/JSON connector whose webhook endpoint answers 200 whatever happens to the event: the real endpoint
    /// moves under /real, and the public path forwards to it and ignores the answer.
    /// </summary>
    private sealed class RestJsonAcknowledgesFirst : BankConnector
    {
        private static readonly HttpClient Forward = new();
        private readonly RestJsonConnector _inner = new();

        public override string Name => _inner.Name;

        public override void ConfigureServices(IServiceCollection services, IConfiguration configuration) => _inner.ConfigureServices(services, configuration);

        public override void MapEndpoints(IEndpointRouteBuilder endpoints)
        {
            _inner.MapEndpoints(endpoints.MapGroup("/real"));
            endpoints.MapPost("/webhooks/rest-json", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{context.Request.Scheme}://{context.Request.Host}/real/webhooks/rest-json") { Content = new ByteArrayContent(body.ToArray()) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
                {
                    request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name].ToString());
                }

                using var ignored = await Forward.SendAsync(request);
                return Results.Ok();
            });
        }
    }

    private sealed class HeaderHandler(Action<HttpRequestMessage> change) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            change(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
