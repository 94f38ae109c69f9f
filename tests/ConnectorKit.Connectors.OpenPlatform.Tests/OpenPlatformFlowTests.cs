using System.Net;
using System.Text.Json;
using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

public sealed class OpenPlatformFlowTests(OpenPlatformFixture fixture) : IClassFixture<OpenPlatformFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = OpenPlatformFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WholeFlow_ProfileQuoteSubmitApprovalDisbursement_PlatformToldWithTheBanksAmounts()
    {
        var code = SampleData.CreditCode(4101);
        using var bank = TestBank.BankRing();

        await fixture.CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1) }).ResponseAsync.WaitAsync(Timeout);
        var quote = await fixture.Applications.QuoteFinancingAsync(new QuoteFinancingRequest
        {
            EnterpriseCreditCode = code, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = SampleData.Yuan(5_000_000), TermMonths = 36, AnnualRevenue = SampleData.Yuan(15_000_000),
        }).ResponseAsync.WaitAsync(Timeout);
        var submitted = await fixture.Applications.SubmitApplicationAsync(SampleData.Submit(code)).ResponseAsync.WaitAsync(Timeout);
        var id = submitted.Application.ApplicationId;
        using var approved = await TestBank.PostAsync(fixture.Gateway.BankFacingAddress, TestBank.Notification(bank, "loan.apply.decided", "N-" + id + "-1",
            $$"""{"out_biz_no":"{{id}}","decision_no":"D-{{id}}","decision":"APPROVED","approved_amount":400000000,"currency":"CNY","annual_rate_bp":385,"term_months":36,"conditions":["园区担保"]}"""), Timeout);
        using var paid = await TestBank.PostAsync(fixture.Gateway.BankFacingAddress, TestBank.Notification(bank, "loan.disbursement.notify", "N-" + id + "-2",
            $$"""{"out_biz_no":"{{id}}","tranche_no":"T-{{id}}-1","amount":150000000,"currency":"CNY","account_no":"6222020200112233445","status":"PAID"}"""), Timeout);
        var callbacks = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);

        Assert.Equal(400_000_000, quote.IndicativeLimit.UnitsMinor);
        Assert.Equal(350, quote.AnnualRateBp);
        Assert.Contains("园区担保贷款基础额度 1000 万元", quote.Explanations);
        var quoteCall = Assert.Single(await fixture.CallsAsync("loan.quote.calculate"));
        Assert.Contains("\"amount\":500000000,", quoteCall["biz_content"]);
        Assert.Contains("\"annual_revenue\":1500000000", quoteCall["biz_content"]);
        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        var decision = (NotifyApprovalDecisionRequest)callbacks[0].Message;
        Assert.Equal(400_000_000, decision.Approved.Amount.UnitsMinor);
        Assert.Equal(385, decision.Approved.AnnualRateBp);
        var disbursement = (NotifyDisbursementRequest)callbacks[1].Message;
        Assert.Equal(150_000_000, disbursement.Amount.UnitsMinor);
        Assert.DoesNotContain("0200112233", disbursement.MaskedAccount);
    }

    [Fact]
    public async Task SubmitApplication_AtTheBank_SignedFormWithFenAmountAndApplicationIdAsOutBizNo()
    {
        var request = SampleData.Submit(amountYuan: 5_000_000);

        var submitted = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        var call = Assert.Single(await fixture.CallsAsync("loan.apply.submit"));
        using var biz = JsonDocument.Parse(call["biz_content"]);
        Assert.Equal(submitted.Application.ApplicationId, biz.RootElement.GetProperty("out_biz_no").GetString());
        Assert.Equal(500_000_000, biz.RootElement.GetProperty("amount").GetInt64());
        Assert.Equal("PARK_GUARANTEE_LOAN", biz.RootElement.GetProperty("product_code").GetString());
        Assert.Equal("上海园区融资担保有限公司", biz.RootElement.GetProperty("guarantee").GetProperty("guarantor_name").GetString());
        Assert.Equal(TestBank.AppId, call["app_id"]);
        Assert.Equal("RSA2", call["sign_type"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", call["timestamp"]);
        Assert.True(GatewayNotification.TryParseTimestamp(call["timestamp"], GatewayNotification.ChinaStandardTime, out var sentAt));
        Assert.InRange(sentAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        using var verifier = TestBank.BankRing();
        Assert.True(GatewaySignature.TryVerify(verifier, TestBank.GatewayPath, call, out _));
    }

    [Fact]
    public async Task SubmitApplication_RetriedWithSameRequestId_ReachesTheBankOnce()
    {
        var request = SampleData.Submit();

        var first = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var second = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(first.Application.ApplicationId, second.Application.ApplicationId);
        Assert.Single(await fixture.CallsAsync("loan.apply.submit"));
    }

    [Fact]
    public async Task SubmitApplication_OutcomeUnknownAndNotAtTheBank_QueriedThenSubmittedOnceMoreWithNewMsgId()
    {
        var request = SampleData.Submit(amountYuan: 777_700);

        var submitted = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        var calls = (await fixture.Bank.FindRequestsAsync(HttpMethod.Post, TestBank.GatewayPath).WaitAsync(Timeout)).Select(r => TestBank.Form(r.Body)).ToList();
        Assert.Equal(["loan.apply.submit", "loan.apply.query", "loan.apply.submit"], calls.Select(c => c["method"]));
        Assert.All(calls, c => Assert.Contains($"\"out_biz_no\":\"{submitted.Application.ApplicationId}\"", c["biz_content"]));
        Assert.Equal(3, calls.Select(c => c["msg_id"]).Distinct().Count());
        Assert.Equal(calls[0]["biz_content"], calls[2]["biz_content"]);
        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
    }

    [Fact]
    public async Task SubmitApplication_AnswerLostButTheBankFiledIt_QueryConfirmsAndNoSecondSubmit()
    {
        var request = SampleData.Submit(amountYuan: 888_800);

        var submitted = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        var calls = (await fixture.Bank.FindRequestsAsync(HttpMethod.Post, TestBank.GatewayPath).WaitAsync(Timeout)).Select(r => TestBank.Method(r.Body)).ToList();
        Assert.Equal(["loan.apply.submit", "loan.apply.query"], calls);
        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
    }

    [Fact]
    public async Task WithdrawApplication_BankCancels_WithdrawnAndCancelCarriesOutBizNo()
    {
        var id = (await fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;

        var withdrawn = await fixture.Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = id, Reason = "不再需要" }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Withdrawn, withdrawn.Application.State);
        var cancel = Assert.Single(await fixture.CallsAsync("loan.apply.cancel"));
        Assert.Equal($$"""{"out_biz_no":"{{id}}","reason":"不再需要"}""", cancel["biz_content"]);
    }

    [Fact]
    public async Task WithdrawApplication_BankAnswersStateConflict_FailedPreconditionAndStillSubmitted()
    {
        var id = (await fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;
        await fixture.StubAsync("loan.apply.cancel", OpenPlatformFixture.Answer(TestBank.SignedAnswer("""{"return_code":30001,"return_msg":"already decided"}""")));

        var error = await Assert.ThrowsAsync<Grpc.RpcException>(() => fixture.Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = id, Reason = "x" }).ResponseAsync.WaitAsync(Timeout));
        var current = await fixture.Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(Grpc.StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("STATE_CONFLICT", error.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        Assert.Equal(ApplicationState.Submitted, current.Application.State);
    }

    [Fact]
    public async Task RevokeConsent_ReachesTheBankWithConsentIdAndChinaTime()
    {
        var code = SampleData.CreditCode(4102);
        var profile = SampleData.Profile(code, 1);
        await fixture.CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync.WaitAsync(Timeout);
        var revokedAt = new DateTimeOffset(DateTimeOffset.UtcNow.Year, 1, 2, 1, 0, 0, TimeSpan.Zero);
        if (revokedAt > DateTimeOffset.UtcNow || revokedAt < profile.Consent.GrantedAt.ToDateTimeOffset())
        {
            revokedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        }

        await fixture.CreditData.RevokeConsentAsync(new RevokeConsentRequest
        {
            ConsentId = profile.Consent.ConsentId, EnterpriseCreditCode = code, RevokedAt = Timestamp.FromDateTimeOffset(revokedAt),
        }).ResponseAsync.WaitAsync(Timeout);

        var call = Assert.Single(await fixture.CallsAsync("credit.consent.revoke"));
        using var biz = JsonDocument.Parse(call["biz_content"]);
        Assert.Equal(profile.Consent.ConsentId, biz.RootElement.GetProperty("consent_id").GetString());
        Assert.Equal(GatewayNotification.FormatTimestamp(revokedAt), biz.RootElement.GetProperty("revoked_at").GetString());
    }

    [Fact]
    public async Task PushCreditProfile_BankSaysVersionAlreadyHeld_AppliedWithoutError()
    {
        var code = SampleData.CreditCode(4103);
        await fixture.StubAsync("credit.profile.sync", OpenPlatformFixture.Answer(TestBank.SignedAnswer("""{"return_code":30002,"return_msg":"version not newer"}""")));

        var pushed = await fixture.CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 3) }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(ProfileOutcome.Applied, pushed.Outcome);
        var call = Assert.Single(await fixture.CallsAsync("credit.profile.sync"));
        Assert.Contains("\"annual_revenue\":1500000000", call["biz_content"]);
        Assert.Contains("\"name\":\"上海测试科技有限公司\"", call["biz_content"]);
    }
}
