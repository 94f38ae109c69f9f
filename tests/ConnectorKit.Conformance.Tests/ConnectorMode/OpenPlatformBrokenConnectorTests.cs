using System.Text;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Conformance.Tests.ServerMode;
using ConnectorKit.Connectors;
using ConnectorKit.Connectors.OpenPlatform;
using ConnectorKit.Connectors.OpenPlatform.Testing;
using ConnectorKit.Connectors.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>The open-platform connector broken on purpose fails the suite (the whole suite runs in ConnectorConformanceTests).</summary>
public sealed class OpenPlatformBrokenConnectorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunAsync_ConnectorFilingUnderAnotherOutBizNo_FailsSayingTheBankHoldsNone()
    {
        await using var target = await ConnectorTarget.StartAsync(new SwappedKit(new OpenPlatformTestKit(), new OtherOutBizNoConnector())).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Filter = "CK-IDEM-002" }).WaitAsync(Timeout);

        var failed = Assert.Single(report.Cases);
        Assert.Equal(ConformanceOutcome.Failed, failed.Outcome);
        Assert.StartsWith("The bank saw 0 submissions of APP-", failed.Reason, StringComparison.Ordinal);
    }

    /// <summary>The open-platform connector sending a reference of its own as out_biz_no instead of the application id.</summary>
    private sealed class OtherOutBizNoConnector : BankConnector
    {
        private readonly OpenPlatformConnector _inner = new();

        public override string Name => _inner.Name;

        public override void ConfigureServices(IServiceCollection services, IConfiguration configuration)
        {
            _inner.ConfigureServices(services, configuration);
            services.AddHttpClient(OpenPlatformConnector.HttpClientName).AddHttpMessageHandler(() => new RewriteOutBizNo());
        }

        public override void MapEndpoints(IEndpointRouteBuilder endpoints) => _inner.MapEndpoints(endpoints);
    }

    private sealed class RewriteOutBizNo : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);

            // In the form, biz_content's "out_biz_no":"APP-… is URL-encoded.
            request.Content = new StringContent(
                form.Replace("out_biz_no%22%3A%22APP-", "out_biz_no%22%3A%22OWN-", StringComparison.Ordinal), Encoding.UTF8, "application/x-www-form-urlencoded");
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
