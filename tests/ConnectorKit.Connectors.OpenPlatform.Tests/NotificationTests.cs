using System.Net;
using System.Text;
using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

/// <summary>The bank's asynchronous notifications at the gateway host's bank-facing port.</summary>
public sealed class NotificationTests(OpenPlatformFixture fixture) : IClassFixture<OpenPlatformFixture>, IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Timeout = OpenPlatformFixture.Timeout;
    private readonly GatewayKeyRing _bank = TestBank.BankRing();

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _bank.Dispose();

    [Fact]
    public async Task Notify_Approved_AcknowledgedWithSignatureTheBankVerifies()
    {
        var id = await SubmitAsync();

        using var response = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-ack-" + id, Approved(id)));
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout);
        await fixture.Platform.WaitForAsync(id, 1).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = GatewayResponse.Verify(_bank, body);
        using var content = ack.Parse();
        Assert.Equal(0, content.RootElement.GetProperty("return_code").GetInt32());
        Assert.Equal("N-ack-" + id, content.RootElement.GetProperty("notify_id").GetString());
    }

    [Fact]
    public async Task Notify_SameNotifyIdTwiceOrSameDecisionUnderNewId_AcknowledgedEachTimeAppliedOnce()
    {
        var id = await SubmitAsync();
        var notification = TestBank.Notification(_bank, "loan.apply.decided", "N-rep-" + id, Approved(id));

        using var first = await PostAsync(notification);
        using var repeat = await PostAsync(notification);
        using var resent = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-rep2-" + id, Approved(id)));
        using var paid = await PostAsync(TestBank.Notification(_bank, "loan.disbursement.notify", "N-pay-" + id, Paid(id, "T1", 100_000_000)));
        var callbacks = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);

        // Callbacks leave in sequence order, so a second approval would have come before the disbursement.
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
    }

    [Fact]
    public async Task Notify_BizContentTampered_RefusedAndNothingChanges()
    {
        var id = await SubmitAsync();
        var signed = TestBank.Notification(_bank, "loan.apply.decided", "N-tamper-" + id, Approved(id));
        var tampered = signed.Select(p => p.Key == "biz_content" ? new KeyValuePair<string, string>(p.Key, p.Value.Replace("400000000", "900000000", StringComparison.Ordinal)) : p).ToList();

        using var response = await PostAsync(tampered);
        var current = await fixture.Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout);
        using var genuine = await PostAsync(signed);
        var callbacks = await fixture.Platform.WaitForAsync(id, 1).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, current.Application.State);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(400_000_000, ((NotifyApprovalDecisionRequest)Assert.Single(callbacks).Message).Approved.Amount.UnitsMinor);
    }

    [Theory]
    [InlineData("stale")]
    [InlineData("future")]
    [InlineData("other-app")]
    [InlineData("unsigned")]
    public async Task Notify_ReplayedLateOrForAnotherAppOrUnsigned_RefusedAndNothingChanges(string kind)
    {
        var id = await SubmitAsync();
        var notification = kind switch
        {
            "stale" => TestBank.Notification(_bank, "loan.apply.decided", "N-" + kind + id, Approved(id), DateTimeOffset.UtcNow.AddMinutes(-10)),
            "future" => TestBank.Notification(_bank, "loan.apply.decided", "N-" + kind + id, Approved(id), DateTimeOffset.UtcNow.AddMinutes(10)),
            "other-app" => TestBank.Notification(_bank, "loan.apply.decided", "N-" + kind + id, Approved(id), appId: "20000002"),
            _ => TestBank.Notification(_bank, "loan.apply.decided", "N-" + kind + id, Approved(id)).Where(p => p.Key != GatewaySignature.SignParameter).ToList(),
        };

        using var response = await PostAsync(notification);
        var current = await fixture.Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(kind == "unsigned" ? HttpStatusCode.Unauthorized : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, current.Application.State);
        Assert.DoesNotContain(fixture.Platform.Received, r => r.ApplicationId == id);
    }

    [Fact]
    public async Task Notify_DisbursementBeforeApproval_NotAcknowledgedThenAppliedWhenTheBankRetries()
    {
        var id = await SubmitAsync();
        var disbursement = TestBank.Notification(_bank, "loan.disbursement.notify", "N-early-" + id, Paid(id, "T1", 150_000_000));

        using var early = await PostAsync(disbursement);
        using var approval = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-appr-" + id, Approved(id)));
        using var retried = await PostAsync(disbursement);
        var callbacks = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approval.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        Assert.Equal(150_000_000, ((NotifyDisbursementRequest)callbacks[1].Message).Amount.UnitsMinor);
    }

    [Fact]
    public async Task Notify_UnknownApplication_NotAcknowledged()
    {
        using var response = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-unknown", Approved("app-that-does-not-exist")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("\"return_code\":0", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task Notify_RejectedAndMoreInfo_PlatformToldTheBanksReasons()
    {
        var rejectedId = await SubmitAsync();
        var moreInfoId = await SubmitAsync();

        using var rejected = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-rej-" + rejectedId,
            $$"""{"out_biz_no":"{{rejectedId}}","decision_no":"D-rej-{{rejectedId}}","decision":"REJECTED","reject_codes":["DEBT_RATIO"],"message":"负债率过高"}"""));
        using var moreInfo = await PostAsync(TestBank.Notification(_bank, "loan.apply.decided", "N-more-" + moreInfoId,
            $$"""{"out_biz_no":"{{moreInfoId}}","decision_no":"D-more-{{moreInfoId}}","decision":"MORE_INFO","info_items":["tax_returns_2025"],"message":"请补充纳税申报表"}"""));
        var rejection = (NotifyApprovalDecisionRequest)(await fixture.Platform.WaitForAsync(rejectedId, 1).WaitAsync(Timeout))[0].Message;
        var request = (NotifyApprovalDecisionRequest)(await fixture.Platform.WaitForAsync(moreInfoId, 1).WaitAsync(Timeout))[0].Message;

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, moreInfo.StatusCode);
        Assert.Equal(["DEBT_RATIO"], rejection.Rejected.ReasonCodes);
        Assert.Equal("负债率过高", rejection.Rejected.Message);
        Assert.Equal(["tax_returns_2025"], request.MoreInfoRequired.RequestedItems);
    }

    private async Task<string> SubmitAsync()
        => (await fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;

    private Task<HttpResponseMessage> PostAsync(IEnumerable<KeyValuePair<string, string>> form)
        => TestBank.PostAsync(fixture.Gateway.BankFacingAddress, form, Timeout);

    internal static string Approved(string id) =>
        $$"""{"out_biz_no":"{{id}}","decision_no":"D-{{id}}","decision":"APPROVED","approved_amount":400000000,"currency":"CNY","annual_rate_bp":385,"term_months":36}""";

    internal static string Paid(string id, string tranche, long fen) =>
        $$"""{"out_biz_no":"{{id}}","tranche_no":"{{tranche}}-{{id}}","amount":{{fen}},"currency":"CNY","account_no":"6222020200112233445","status":"PAID"}""";
}
