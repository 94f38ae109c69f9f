using System.Net;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Connectors.RestJson.Tests;

/// <summary>Polling catches up when no webhook comes, with the webhook's business keys, so a late webhook is a duplicate.</summary>
public sealed class RestJsonPollingTests(PollingGatewayFixture fixture) : IClassFixture<PollingGatewayFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = RestJsonGatewayFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetBankAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Polling_PendingThenApprovedThenPaidWithoutWebhooks_PlatformToldOnceAndLateWebhooksAreDuplicates()
    {
        var id = (await fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;

        var decided = await fixture.Platform.WaitForAsync(id, 1).WaitAsync(Timeout);
        await fixture.Bank.SetScenarioStateAsync("loan-review", "Disbursed").WaitAsync(Timeout);
        var paid = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);
        using var lateDecision = await fixture.SendWebhookAsync(BankEvents.Approved(id));
        using var latePayment = await fixture.SendWebhookAsync(BankEvents.Paid(id, "T-0001", "1500000.00"));
        await Task.Delay(500);
        var reads = await fixture.Bank.FindRequestsAsync(HttpMethod.Get, "/v1/loan-applications/" + id).WaitAsync(Timeout);

        Assert.Equal("decision:Approved", Assert.Single(decided).Kind);
        Assert.Equal(400_000_000, ((NotifyApprovalDecisionRequest)decided[0].Message).Approved.Amount.UnitsMinor);
        Assert.Equal(150_000_000, ((NotifyDisbursementRequest)paid[1].Message).Amount.UnitsMinor);
        Assert.Equal(HttpStatusCode.OK, lateDecision.StatusCode);
        Assert.Contains("duplicate", await lateDecision.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        Assert.Contains("duplicate", await latePayment.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        Assert.Equal(2, fixture.Platform.Received.Count(r => r.ApplicationId == id));
        Assert.True(reads.Count >= 3, $"{reads.Count} reads: pending, approved, disbursed");
        Assert.Equal("pending", System.Text.Json.Nodes.JsonNode.Parse(await FirstReadBodyAsync(id))!["status"]!.GetValue<string>());
    }

    private async Task<string> FirstReadBodyAsync(string id)
    {
        using var admin = new HttpClient { BaseAddress = fixture.Bank.BaseAddress, Timeout = Timeout };
        var events = System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync("__admin/requests").WaitAsync(Timeout))!["requests"]!.AsArray();
        return events.Last(e => e!["request"]!["url"]!.GetValue<string>() == "/v1/loan-applications/" + id)!["response"]!["body"]!.GetValue<string>();
    }
}
