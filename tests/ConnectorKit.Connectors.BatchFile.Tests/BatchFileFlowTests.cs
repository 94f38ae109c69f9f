using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>The whole flow through the drop directory, against the real WireMock and a real gateway and platform.</summary>
public sealed class BatchFileFlowTests(BatchFileFixture fixture) : IClassFixture<BatchFileFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = BatchFileFixture.Timeout;
    private GrpcChannel _channel = null!;

    private BatchFileGateway Gateway => fixture.Gateway;

    private LoanApplicationsService.LoanApplicationsServiceClient Applications => new(_channel);

    private CreditDataService.CreditDataServiceClient CreditData => new(_channel);

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        _channel = Gateway.Host.CreateChannel();
    }

    public Task DisposeAsync()
    {
        _channel.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task WholeFlow_ProfileQuoteSubmitApprovalDisbursement_PlatformToldWithAmounts()
    {
        var code = SampleData.CreditCode(1001);
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 3) }).ResponseAsync.WaitAsync(Timeout);
        var quote = await Applications.QuoteFinancingAsync(new QuoteFinancingRequest { EnterpriseCreditCode = code, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = SampleData.Yuan(5_000_000), TermMonths = 36, AnnualRevenue = SampleData.Yuan(15_000_000) }).ResponseAsync.WaitAsync(Timeout);
        var submitted = await Applications.SubmitApplicationAsync(SampleData.Submit(code, amountYuan: 5_000_000)).ResponseAsync.WaitAsync(Timeout);
        var appId = submitted.Application.ApplicationId;

        var cutOff = await Gateway.CutOff.RunAsync().WaitAsync(Timeout);

        // This bank quotes through the server's reference policy; a grade-good profile prices at 410 bp.
        Assert.Equal(410, quote.AnnualRateBp);
        Assert.True(quote.IndicativeLimit.UnitsMinor > 0);
        var applicationsFile = Assert.Single(cutOff.Published, p => p.Name.FileType == "APPLICATIONS");
        var file = BatchFileCodec.Read(File.ReadAllText(applicationsFile.Path), BankLayouts.Requests);
        var record = Assert.Single(file.Records);
        Assert.Equal((appId, "500000000", "PRODUCT_TYPE_PARK_GUARANTEE_LOAN"), (record["application_id"], record["amount_fen"], record["product"]));
        Assert.Equal((1, 500_000_000L), (applicationsFile.RecordCount, applicationsFile.AmountTotal));
        Assert.Equal(BankFiles.Us, file.Header.Sender);
        Assert.Equal(BankFiles.BankCode, file.Header.Receiver);
        Assert.True(File.Exists(applicationsFile.Path + ".done"));
        Assert.All(cutOff.Notifications, n => Assert.True(n.Delivered, n.Detail));
        var notices = await TransferNotices();
        // A slow first answer may be retried under the same key; the bank registers the file once either way.
        var notice = Assert.Single(notices.Where(n => n["file_type"]!.GetValue<string>() == "APPLICATIONS").DistinctBy(n => n.ToJsonString()));
        Assert.Equal(applicationsFile.Name.ToString(), notice["file_name"]!.GetValue<string>());
        Assert.Equal(1, notice["record_count"]!.GetValue<int>());
        Assert.Equal(500_000_000L, notice["amount_total_fen"]!.GetValue<long>());
        Assert.Equal(applicationsFile.Sha256, notice["sha256"]!.GetValue<string>());

        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, BankFiles.Decisions(BankFiles.Approval(appId, 3_000_000_00)).Text);
        var decisions = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        await fixture.Platform.WaitForAsync(appId, 1).WaitAsync(Timeout);
        BankFiles.Drop(Gateway.Inbox, "DISBURSEMENTS", 1, BankFiles.Disbursements(BankFiles.Tranche("T" + appId[^10..], appId, 1_200_000_00)).Text);
        var disbursements = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        var callbacks = await fixture.Platform.WaitForAsync(appId, 2).WaitAsync(Timeout);

        Assert.Equal(1, Assert.Single(decisions).Applied);
        Assert.Equal(1, Assert.Single(disbursements).Applied);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        var approval = (NotifyApprovalDecisionRequest)callbacks[0].Message;
        Assert.Equal(300_000_000, approval.Approved.Amount.UnitsMinor);
        Assert.Equal(385, approval.Approved.AnnualRateBp);
        var paid = (NotifyDisbursementRequest)callbacks[1].Message;
        Assert.Equal(120_000_000, paid.Amount.UnitsMinor);
        Assert.DoesNotContain("02020011223", paid.MaskedAccount, StringComparison.Ordinal);
        Assert.Empty(BatchFileGateway.Names(Gateway.Inbox));
        Assert.Equal(4, BatchFileGateway.Names(Gateway.Processed).Count);
    }

    [Fact]
    public async Task SubmitApplication_RetriedWithSameRequestId_OneRecordAndOneNotificationAtTheBank()
    {
        var request = SampleData.Submit(SampleData.CreditCode(1002), amountYuan: 1_234_567);

        var first = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var retry = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var cutOff = await Gateway.CutOff.RunAsync().WaitAsync(Timeout);
        var again = await Gateway.CutOff.RunAsync().WaitAsync(Timeout);

        Assert.Equal(first.Application.ApplicationId, retry.Application.ApplicationId);
        var published = Assert.Single(cutOff.Published);
        Assert.Equal((1, 123_456_700L), (published.RecordCount, published.AmountTotal));
        Assert.Empty(again.Published);
        var notice = Assert.Single((await TransferNotices()).DistinctBy(n => n.ToJsonString()));
        Assert.Equal(123_456_700L, notice["amount_total_fen"]!.GetValue<long>());
    }

    [Fact]
    public async Task ReturnFile_DeliveredTwice_SecondProducesNoCallback()
    {
        var appId = await SubmitAsync(1003);
        var text = BankFiles.Decisions(BankFiles.Approval(appId, 1_000_000_00)).Text;
        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, text);
        await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        await fixture.Platform.WaitForAsync(appId, 1).WaitAsync(Timeout);

        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, text);
        var redelivered = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 2, text.Replace("_DECISIONS_001", "_DECISIONS_002", StringComparison.Ordinal));
        var resentUnderNewName = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        await Task.Delay(300);

        Assert.Equal((0, 1), (Assert.Single(redelivered).Applied, redelivered[0].Duplicates));
        Assert.Equal((0, 1, (string?)null), (Assert.Single(resentUnderNewName).Applied, resentUnderNewName[0].Duplicates, resentUnderNewName[0].QuarantineReason));
        Assert.Single(fixture.Platform.Received, r => r.ApplicationId == appId);
    }

    [Fact]
    public async Task ReturnFile_TrailerTotalOffByOneFen_QuarantinedAndNoCallback()
    {
        var appId = await SubmitAsync(1004);
        var good = BankFiles.Decisions(BankFiles.Approval(appId, 2_000_000_00));
        var tampered = good.Text.Replace($"|{good.AmountTotal:D18}", $"|{good.AmountTotal + 1:D18}", StringComparison.Ordinal);
        var name = BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, tampered);

        var outcome = Assert.Single(await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout));
        await Task.Delay(300);

        Assert.Contains("amount total of 200000001", outcome.QuarantineReason, StringComparison.Ordinal);
        Assert.Contains(name, BatchFileGateway.Names(Gateway.Quarantine));
        Assert.Contains(name + ".reason", BatchFileGateway.Names(Gateway.Quarantine));
        Assert.DoesNotContain(fixture.Platform.Received, r => r.ApplicationId == appId);
        var application = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = appId }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Submitted, application.Application.State);
    }

    [Fact]
    public async Task ReturnFile_ChangedAfterDoneMarker_QuarantinedAndNoCallback()
    {
        var appId = await SubmitAsync(1005);
        var name = BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, BankFiles.Decisions(BankFiles.Approval(appId, 2_000_000_00)).Text);
        File.WriteAllText(Path.Combine(Gateway.Inbox, name), BankFiles.Decisions(BankFiles.Approval(appId, 9_000_000_00)).Text);

        var outcome = Assert.Single(await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout));
        await Task.Delay(300);

        Assert.Contains("SHA-256", outcome.QuarantineReason, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Platform.Received, r => r.ApplicationId == appId);
    }

    [Fact]
    public async Task ReturnFile_OneRecordForAnUnapprovedApplication_WholeFileQuarantinedNothingApplied()
    {
        var approved = await SubmitAsync(1006);
        var pending = await SubmitAsync(1007);
        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, BankFiles.Decisions(BankFiles.Approval(approved, 1_000_000_00)).Text);
        await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        await fixture.Platform.WaitForAsync(approved, 1).WaitAsync(Timeout);
        BankFiles.Drop(Gateway.Inbox, "DISBURSEMENTS", 1, BankFiles.Disbursements(
            BankFiles.Tranche("TA" + approved[^10..], approved, 500_000_00),
            BankFiles.Tranche("TB" + pending[^10..], pending, 500_000_00)).Text);

        var outcome = Assert.Single(await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout));
        await Task.Delay(300);

        Assert.StartsWith("no record applied; line 3: disbursement for " + pending, outcome.QuarantineReason, StringComparison.Ordinal);
        Assert.Single(fixture.Platform.Received, r => r.ApplicationId == approved);
        var application = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = approved }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(0, application.Application.DisbursedTotal?.UnitsMinor ?? 0);
    }

    [Fact]
    public async Task ReturnFile_RecordRefusedWhenApplied_StopsThereQuarantinedWithWhatWasApplied()
    {
        var appId = await SubmitAsync(1012);
        BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, BankFiles.Decisions(BankFiles.Approval(appId, 1_000_000_00)).Text);
        BankFiles.Drop(Gateway.Inbox, "DISBURSEMENTS", 1, BankFiles.Disbursements(BankFiles.Tranche("T1" + appId[^10..], appId, 600_000_00)).Text);
        await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        // Once tranches are paid the check cannot tell a re-sent tranche from a new one, so the overdraw is refused on applying.
        BankFiles.Drop(Gateway.Inbox, "DISBURSEMENTS", 2, BankFiles.Disbursements(
            BankFiles.Tranche("T2" + appId[^10..], appId, 300_000_00),
            BankFiles.Tranche("T3" + appId[^10..], appId, 300_000_00)).Text);

        var outcome = Assert.Single(await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout));
        var callbacks = await fixture.Platform.WaitForAsync(appId, 3).WaitAsync(Timeout);
        await Task.Delay(300);

        Assert.Equal(1, outcome.Applied);
        Assert.StartsWith("line 3 refused after 1 records were applied", outcome.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal(["decision:Approved", "disbursement:Paid", "disbursement:Paid"], fixture.Platform.Received.Where(r => r.ApplicationId == appId).Select(r => r.Kind));
        Assert.Equal((2, 300_000_00L), (((NotifyDisbursementRequest)callbacks[2].Message).TrancheNumber, ((NotifyDisbursementRequest)callbacks[2].Message).Amount.UnitsMinor));
        var application = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = appId }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(900_000_00, application.Application.DisbursedTotal.UnitsMinor);
    }

    [Fact]
    public async Task ReturnFile_WithoutDoneMarker_WaitsUntilMarked()
    {
        var appId = await SubmitAsync(1008);
        var name = BankFiles.Drop(Gateway.Inbox, "DECISIONS", 1, BankFiles.Decisions(BankFiles.Rejection(appId)).Text, markDone: false);

        var before = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        BankFiles.MarkDone(Gateway.Inbox, name);
        var after = await Gateway.ReturnFiles.RunAsync().WaitAsync(Timeout);
        var callbacks = await fixture.Platform.WaitForAsync(appId, 1).WaitAsync(Timeout);

        Assert.Empty(before);
        Assert.Equal(1, Assert.Single(after).Applied);
        var rejected = (NotifyApprovalDecisionRequest)Assert.Single(callbacks).Message;
        Assert.Equal(["CREDIT_GRADE_TOO_LOW"], rejected.Rejected.ReasonCodes);
    }

    [Fact]
    public async Task WithdrawAndRevoke_Spooled_CancellationAndRevocationRecordsInTheFiles()
    {
        var code = SampleData.CreditCode(1009);
        var profile = SampleData.Profile(code, 1);
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync.WaitAsync(Timeout);
        var appId = await SubmitAsync(1010);
        await Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = appId, Reason = "changed plans" }).ResponseAsync.WaitAsync(Timeout);
        await CreditData.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = profile.Consent.ConsentId, EnterpriseCreditCode = code, RevokedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }).ResponseAsync.WaitAsync(Timeout);

        var cutOff = await Gateway.CutOff.RunAsync().WaitAsync(Timeout);

        var profiles = Read(cutOff, "PROFILES");
        Assert.Equal(["U", "R"], profiles.Records.Select(r => r["action"]));
        Assert.Equal(profile.Consent.ConsentId, profiles.Records[1]["consent_id"]);
        Assert.Equal(15_000_000_00L, profiles.AmountTotal);
        var applications = Read(cutOff, "APPLICATIONS");
        Assert.Equal([("N", appId), ("C", appId)], applications.Records.Select(r => (r["action"], r["application_id"])));
        Assert.Equal("changed plans", applications.Records[1]["reason"]);
    }

    [Fact]
    public async Task CutOff_TransferGatewayBusyOnce_RetriedWithTheSameKeyAndRegisteredOnce()
    {
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.CreditCode(1011), 1) }).ResponseAsync.WaitAsync(Timeout);

        var cutOff = await Gateway.CutOff.RunAsync().WaitAsync(Timeout);

        var notification = Assert.Single(cutOff.Notifications);
        Assert.True(notification.Delivered, notification.Detail);
        var posts = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/file-transfers").WaitAsync(Timeout);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal(notification.FileName, p.Headers["Idempotency-Key"]));
    }

    private static ParsedBatchFile Read(CutOffResult cutOff, string type)
        => BatchFileCodec.Read(File.ReadAllText(Assert.Single(cutOff.Published, p => p.Name.FileType == type).Path), BankLayouts.Requests);

    private async Task<string> SubmitAsync(int n)
    {
        var submitted = await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(n))).ResponseAsync.WaitAsync(Timeout);
        return submitted.Application.ApplicationId;
    }

    private async Task<IReadOnlyList<JsonNode>> TransferNotices()
    {
        var posts = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/file-transfers").WaitAsync(Timeout);
        return posts.Select(p => JsonNode.Parse(p.Body)!).ToList();
    }
}
