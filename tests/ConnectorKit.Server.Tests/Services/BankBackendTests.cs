using ConnectorKit.Connectors.Testing;
using System.Collections.Concurrent;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Server.Tests.Services;

/// <summary>
/// The connector seam: with an <see cref="IBankBackend"/> registered, accepted requests reach it before they are
/// stored, a refusal there stores nothing, and <see cref="IBankSignals"/> applies each bank signal once.
/// </summary>
public sealed class BankBackendTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-backend-" + Guid.NewGuid().ToString("N"));
    private readonly RecordingBackend _backend = new();
    private RecordingPlatform _platform = null!;
    private BankServerHost _bank = null!;
    private GrpcChannel _channel = null!;

    private LoanApplicationsService.LoanApplicationsServiceClient Applications => new(_channel);

    private CreditDataService.CreditDataServiceClient CreditData => new(_channel);

    private IBankSignals Signals => _bank.Services.GetRequiredService<IBankSignals>();

    public async Task InitializeAsync()
    {
        _platform = await RecordingPlatform.StartAsync();
        _bank = await BankServerHost.StartAsync(
            options =>
            {
                options.DataDirectory = _dataDirectory;
                options.Platform.Address = _platform.Address;
            },
            services => services.AddSingleton<IBankBackend>(_backend));
        _channel = _bank.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _bank.DisposeAsync();
        await _platform.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task SubmitApplication_BankRefuses_StoresNothingAndRetryReachesTheBankAgain()
    {
        var request = SampleData.Submit();
        _backend.Failures.Enqueue(StatusCode.Unavailable);

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var retried = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(2, _backend.Submissions.Count);
        Assert.All(_backend.Submissions, s => Assert.Equal(retried.Application.ApplicationId, s.ApplicationId));
    }

    [Fact]
    public async Task SubmitApplication_RetryAfterSuccess_AnsweredFromStoreWithoutCallingTheBank()
    {
        var request = SampleData.Submit();

        var first = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var second = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(first, second);
        Assert.Single(_backend.Submissions);
    }

    [Fact]
    public async Task SubmitApplication_SameRequestIdOtherPayload_AlreadyExistsWithoutCallingTheBank()
    {
        var request = SampleData.Submit();
        await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var changed = request.Clone();
        changed.TermMonths = 12;

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(changed).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Single(_backend.Submissions);
    }

    [Fact]
    public async Task PushCreditProfile_BankRefuses_NothingStoredAndStaleVersionNotSent()
    {
        var code = SampleData.CreditCode(7001);
        _backend.Failures.Enqueue(StatusCode.InvalidArgument);

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 2) }).ResponseAsync.WaitAsync(Timeout));
        var applied = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 2) }).ResponseAsync.WaitAsync(Timeout);
        var stale = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1) }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(ProfileOutcome.Applied, applied.Outcome);
        Assert.Equal(ProfileOutcome.Stale, stale.Outcome);
        Assert.Equal(2, _backend.Profiles.Count);
    }

    [Fact]
    public async Task WithdrawApplication_Undecided_ReachesTheBankBeforeTheStateChanges()
    {
        var submitted = await Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout);
        var id = submitted.Application.ApplicationId;
        _backend.Failures.Enqueue(StatusCode.FailedPrecondition);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = id, Reason = "changed plans" }).ResponseAsync.WaitAsync(Timeout));
        var stillOpen = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout);
        var withdrawn = await Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = id, Reason = "changed plans" }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(ApplicationState.Submitted, stillOpen.Application.State);
        Assert.Equal(ApplicationState.Withdrawn, withdrawn.Application.State);
        Assert.Equal(2, _backend.Withdrawals.Count);
    }

    [Fact]
    public async Task BankSignals_SameTrancheTwice_PaidAndToldOnce()
    {
        var id = (await Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;
        await Signals.ApproveAsync(["decision:D1"], id, new ApprovedTerms { Amount = SampleData.Yuan(1_000_000), AnnualRateBp = 385, TermMonths = 36 }).WaitAsync(Timeout);

        var first = await Signals.DisburseAsync(["webhook:msg_1", "tranche:T1"], id, SampleData.Yuan(400_000), "6222020200112233445").WaitAsync(Timeout);
        var replay = await Signals.DisburseAsync(["webhook:msg_2", "tranche:T1"], id, SampleData.Yuan(400_000), "6222020200112233445").WaitAsync(Timeout);
        var callbacks = await _platform.WaitForAsync(id, 2);
        await Task.Delay(200);

        Assert.False(first.Duplicate);
        Assert.True(replay.Duplicate);
        Assert.Equal(40_000_000, replay.Application.DisbursedTotal.UnitsMinor);
        Assert.Equal(["decision:Approved", "disbursement:Paid"], _platform.Received.Where(r => r.ApplicationId == id).Select(r => r.Kind));
        Assert.Equal(2, callbacks.Count);
    }

    [Fact]
    public async Task BankSignals_DisbursementBeforeApproval_RefusedAndAppliedOnceApproved()
    {
        var id = (await Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;

        await Assert.ThrowsAsync<ApplicationTransitionException>(() => Signals.DisburseAsync(["tranche:T1"], id, SampleData.Yuan(100_000), "6222020200112233445").WaitAsync(Timeout));
        await Signals.ApproveAsync(["decision:D1"], id, new ApprovedTerms { Amount = SampleData.Yuan(1_000_000), AnnualRateBp = 385, TermMonths = 36 }).WaitAsync(Timeout);
        var retried = await Signals.DisburseAsync(["tranche:T1"], id, SampleData.Yuan(100_000), "6222020200112233445").WaitAsync(Timeout);

        Assert.False(retried.Duplicate);
        Assert.Equal(ApplicationState.Disbursed, retried.Application.State);
    }

    private sealed class RecordingBackend : IBankBackend
    {
        public ConcurrentQueue<StatusCode> Failures { get; } = new();

        public ConcurrentQueue<CreditProfile> Profiles { get; } = new();

        public ConcurrentQueue<BankSubmission> Submissions { get; } = new();

        public ConcurrentQueue<BankWithdrawal> Withdrawals { get; } = new();

        public Task PushProfilesAsync(IReadOnlyList<CreditProfile> profiles, CancellationToken cancellationToken)
        {
            foreach (var profile in profiles)
            {
                Profiles.Enqueue(profile);
            }

            return FailIfScripted();
        }

        public Task RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken) => FailIfScripted();

        public Task SubmitApplicationAsync(BankSubmission submission, CancellationToken cancellationToken)
        {
            Submissions.Enqueue(submission);
            return FailIfScripted();
        }

        public Task WithdrawApplicationAsync(BankWithdrawal withdrawal, CancellationToken cancellationToken)
        {
            Withdrawals.Enqueue(withdrawal);
            return FailIfScripted();
        }

        private Task FailIfScripted()
            => Failures.TryDequeue(out var code) ? Task.FromException(new RpcException(new Status(code, "the bank said no"))) : Task.CompletedTask;
    }
}
