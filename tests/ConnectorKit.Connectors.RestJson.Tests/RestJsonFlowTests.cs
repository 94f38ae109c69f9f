using System.Net;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace ConnectorKit.Connectors.RestJson.Tests;

/// <summary>The contract through the rest-json connector against the fake bank, with decisions and payments arriving as signed webhooks.</summary>
public sealed class RestJsonFlowTests(WebhookGatewayFixture fixture) : IClassFixture<WebhookGatewayFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = RestJsonGatewayFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetBankAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WholeFlow_ProfileQuoteSubmitApprovalPayment_PlatformToldWithExactAmounts()
    {
        var code = SampleData.CreditCode(51_001);
        var quoteRequest = new QuoteFinancingRequest
        {
            EnterpriseCreditCode = code,
            Product = ProductType.ParkGuaranteeLoan,
            RequestedAmount = SampleData.Yuan(5_000_000),
            TermMonths = 36,
            AnnualRevenue = SampleData.Yuan(15_000_000),
        };

        var pushed = await fixture.CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1) }).ResponseAsync.WaitAsync(Timeout);
        var quote = await fixture.Applications.QuoteFinancingAsync(quoteRequest).ResponseAsync.WaitAsync(Timeout);
        var submitted = await fixture.Applications.SubmitApplicationAsync(SampleData.Submit(code)).ResponseAsync.WaitAsync(Timeout);
        var id = submitted.Application.ApplicationId;
        using var approved = await fixture.SendWebhookAsync(BankEvents.Approved(id, "4000000.00"));
        using var paid = await fixture.SendWebhookAsync(BankEvents.Paid(id, "T-" + id, "1500000.01"));
        var callbacks = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);
        var filed = Assert.Single(await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/loan-applications").WaitAsync(Timeout));
        var quoted = Assert.Single(await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/quotes").WaitAsync(Timeout));
        var profile = Assert.Single(await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/credit-profiles").WaitAsync(Timeout));
        var apiPosts = (await fixture.Bank.GetRequestsAsync().WaitAsync(Timeout)).Where(r => r.Method == "POST" && r.UrlPath.StartsWith("/v1/", StringComparison.Ordinal)).ToList();

        Assert.Equal(ProfileOutcome.Applied, pushed.Outcome);
        Assert.Equal(3, apiPosts.Count);
        Assert.All(apiPosts, r => Assert.True(r.Headers.ContainsKey("Idempotency-Key"), r.UrlPath + " without Idempotency-Key"));
        Assert.Equal("15000000.00", JsonNode.Parse(profile.Body)!["annual_revenue"]!["value"]!.GetValue<string>());
        Assert.Equal(320_000_050, quote.IndicativeLimit.UnitsMinor);
        Assert.Equal(385, quote.AnnualRateBp);
        Assert.Equal("5000000.00", JsonNode.Parse(quoted.Body)!["amount"]!["value"]!.GetValue<string>());
        var filedBody = JsonNode.Parse(filed.Body)!;
        Assert.Equal(id, filed.Headers["Idempotency-Key"]);
        Assert.Equal("Bearer at-rest-json-test-0001", filed.Headers["Authorization"]);
        Assert.Equal(id, filedBody["external_id"]!.GetValue<string>());
        Assert.Equal("5000000.00", filedBody["amount"]!["value"]!.GetValue<string>());
        Assert.Equal("CNY", filedBody["amount"]!["currency"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        Assert.Equal(400_000_000, ((NotifyApprovalDecisionRequest)callbacks[0].Message).Approved.Amount.UnitsMinor);
        var payment = (NotifyDisbursementRequest)callbacks[1].Message;
        Assert.Equal(150_000_001, payment.Amount.UnitsMinor);
        Assert.DoesNotContain("0200112233", payment.MaskedAccount, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitApplication_RetriedWithSameRequestId_ReachesTheBankOnce()
    {
        var request = SampleData.Submit();

        var first = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var second = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var filed = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/loan-applications").WaitAsync(Timeout);

        Assert.Equal(first.Application.ApplicationId, second.Application.ApplicationId);
        Assert.Single(filed);
    }

    [Fact]
    public async Task SubmitApplication_BankAnswersProblem422_InvalidArgumentWithBankCodeAndNothingStored()
    {
        var request = SampleData.Submit(termMonths: 72, product: ProductType.CreditLoan);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var retry = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("TERM_NOT_OFFERED", error.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal("422", error.GetDetail<ErrorInfo>()?.Metadata["http_status"]);
        // Nothing was stored, so the platform's retry reaches the bank again instead of an answer from the store.
        Assert.Equal(StatusCode.InvalidArgument, retry.StatusCode);
        Assert.Equal(2, (await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/loan-applications").WaitAsync(Timeout)).Count);
    }

    [Fact]
    public async Task SubmitApplication_BankSaysKeyReusedWithOtherPayload_AlreadyExists()
    {
        await fixture.Bank.AddMappingAsync("""{"priority":1,"request":{"method":"POST","urlPath":"/v1/loan-applications"},"response":{"status":422,"headers":{"Content-Type":"application/problem+json"},"jsonBody":{"title":"Key reused","status":422,"detail":"Another payload was sent with this key.","code":"IDEMPOTENCY_KEY_REUSED"}}}""").WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", error.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task Webhook_TamperedBody_401AndNothingChanges()
    {
        var id = await SubmitAsync();

        using var response = await fixture.SendWebhookAsync(
            BankEvents.Approved(id), tamper: r => r.Content = new StringContent(BankEvents.Approved(id, "9000000.00"), System.Text.Encoding.UTF8, "application/json"));
        var application = await GetAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, application.State);
        Assert.DoesNotContain(fixture.Platform.Received, r => r.ApplicationId == id);
    }

    [Fact]
    public async Task Webhook_StaleTimestamp_401AndNothingChanges()
    {
        var id = await SubmitAsync();

        using var response = await fixture.SendWebhookAsync(BankEvents.Approved(id), timestamp: DateTimeOffset.UtcNow.AddMinutes(-6));
        var application = await GetAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, application.State);
    }

    [Fact]
    public async Task Webhook_WrongSecret_401AndNothingChanges()
    {
        var id = await SubmitAsync();

        using var response = await fixture.SendWebhookAsync(BankEvents.Approved(id), secret: "whsec_" + Convert.ToBase64String(new byte[32]));
        var application = await GetAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, application.State);
    }

    [Fact]
    public async Task Webhook_MissingSignatureHeader_400()
    {
        var id = await SubmitAsync();

        using var response = await fixture.SendWebhookAsync(BankEvents.Approved(id), tamper: r => r.Headers.Remove("webhook-signature"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ApplicationState.Submitted, (await GetAsync(id)).State);
    }

    [Fact]
    public async Task Webhook_ReplayedMessageId_SecondIsDuplicateAndPlatformToldOnce()
    {
        var id = await SubmitAsync();
        var messageId = "msg_replay_" + id;

        using var first = await fixture.SendWebhookAsync(BankEvents.Approved(id), messageId);
        using var replay = await fixture.SendWebhookAsync(BankEvents.Approved(id), messageId);
        await fixture.Platform.WaitForAsync(id, 1).WaitAsync(Timeout);
        await Task.Delay(300);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("duplicate", await replay.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        Assert.Single(fixture.Platform.Received, r => r.ApplicationId == id);
    }

    [Fact]
    public async Task Webhook_SignedWithRetiredSecretDuringRotation_Applied()
    {
        var id = await SubmitAsync();

        using var response = await fixture.SendWebhookAsync(BankEvents.Approved(id), secret: RestJsonGatewayFixture.RetiredSecret);
        var application = await GetAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ApplicationState.Approved, application.State);
    }

    [Fact]
    public async Task Webhook_PaymentBeforeApproval_409ThenAppliedWhenRedeliveredAfterApproval()
    {
        var id = await SubmitAsync();
        var payment = BankEvents.Paid(id, "T-early-" + id, "1000000.00");
        var messageId = "msg_early_" + id;

        using var early = await fixture.SendWebhookAsync(payment, messageId);
        var untouched = await GetAsync(id);
        using var approval = await fixture.SendWebhookAsync(BankEvents.Approved(id));
        using var redelivered = await fixture.SendWebhookAsync(payment, messageId);
        var callbacks = await fixture.Platform.WaitForAsync(id, 2).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(ApplicationState.Submitted, untouched.State);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
    }

    [Fact]
    public async Task WithdrawApplication_Undecided_BankCancelsWithKeyFixedPerApplication()
    {
        var id = await SubmitAsync();

        var withdrawn = await fixture.Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = id, Reason = "changed plans" }).ResponseAsync.WaitAsync(Timeout);
        var cancel = Assert.Single(await fixture.Bank.FindRequestsAsync(HttpMethod.Post, $"/v1/loan-applications/{id}/cancellation").WaitAsync(Timeout));

        Assert.Equal(ApplicationState.Withdrawn, withdrawn.Application.State);
        Assert.Equal(Internal.RestJsonBankApi.DerivedKey("cancel", id), cancel.Headers["Idempotency-Key"]);
        Assert.Equal("changed plans", JsonNode.Parse(cancel.Body)!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task RevokeConsent_ReachesTheBankWithTheConsentId()
    {
        var code = SampleData.CreditCode(51_002);
        var profile = SampleData.Profile(code, 1);
        await fixture.CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync.WaitAsync(Timeout);

        await fixture.CreditData.RevokeConsentAsync(new RevokeConsentRequest
        {
            ConsentId = profile.Consent.ConsentId,
            EnterpriseCreditCode = code,
            RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        }).ResponseAsync.WaitAsync(Timeout);
        var revoked = Assert.Single(await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/v1/consent-revocations").WaitAsync(Timeout));

        Assert.Equal(profile.Consent.ConsentId, JsonNode.Parse(revoked.Body)!["consent_id"]!.GetValue<string>());
        Assert.StartsWith("revoke-", revoked.Headers["Idempotency-Key"], StringComparison.Ordinal);
    }

    private async Task<string> SubmitAsync()
        => (await fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;

    private async Task<Application> GetAsync(string id)
        => (await fixture.Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout)).Application;
}
