using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>The reference bank as its own process, configured on the command line, against a recording platform.</summary>
public sealed class ReferenceBankProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private RecordingPlatform _platform = null!;
    private ReferenceBankProcess _bank = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _platform = await RecordingPlatform.StartAsync();
        _bank = await ReferenceBankProcess.StartAsync(SampleData.BankId, _platform.Address);
        _address = _bank.Address;
    }

    public async Task DisposeAsync()
    {
        await _bank.DisposeAsync();
        await _platform.DisposeAsync();
    }

    [Fact]
    public async Task ReferenceBank_GoodProfile_ApprovesAndPaysTwoTranchesToThePlatform()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var code = SampleData.CreditCode(7001);
        await new CreditDataService.CreditDataServiceClient(channel).PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Good, score: 760) }).ResponseAsync.WaitAsync(Timeout);

        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit(code, amountYuan: 4_000_000)).ResponseAsync.WaitAsync(Timeout);
        var callbacks = await _platform.WaitForAsync(submitted.Application.ApplicationId, 3, Timeout);

        Assert.Equal(["decision:Approved", "disbursement:Paid", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        Assert.Equal(4_000_000_00L, callbacks.Skip(1).Sum(c => ((NotifyDisbursementRequest)c.Message).Amount.UnitsMinor));
    }

    [Fact]
    public async Task ReferenceBank_PoorProfile_RejectsWithReasonCode()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var code = SampleData.CreditCode(7002);
        await new CreditDataService.CreditDataServiceClient(channel).PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Poor, score: 300) }).ResponseAsync.WaitAsync(Timeout);

        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit(code)).ResponseAsync.WaitAsync(Timeout);
        var callbacks = await _platform.WaitForAsync(submitted.Application.ApplicationId, 1, Timeout);

        var decision = (NotifyApprovalDecisionRequest)Assert.Single(callbacks).Message;
        Assert.Equal(["GRADE_BELOW_POLICY"], decision.Rejected.ReasonCodes);
    }

}
