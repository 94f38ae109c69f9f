using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Server.Tests.Services;

/// <summary>
/// The contract as a platform meets it: a bank hosted with AddConnectorKitServer on a real port, called with the
/// generated clients, callbacks received by a recording platform. Run once per store.
/// </summary>
public abstract class BankServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private RecordingPlatform _platform = null!;
    private BankServerHost _bank = null!;
    private GrpcChannel _channel = null!;

    protected RecordingPlatform Platform => _platform;

    protected BankServerHost Bank => _bank;

    protected IConnectorKitStore Store => _bank.Services.GetRequiredService<IConnectorKitStore>();

    protected CreditDataService.CreditDataServiceClient CreditData => new(_channel);

    protected LoanApplicationsService.LoanApplicationsServiceClient Applications => new(_channel);

    /// <summary>Points the options at this suite's store; called for every start, so a restart reopens the same data.</summary>
    protected abstract void ConfigureStore(ConnectorKitServerOptions options);

    public virtual async Task InitializeAsync()
    {
        _platform = await RecordingPlatform.StartAsync();
        _bank = await StartBankAsync();
        _channel = _bank.CreateChannel();
    }

    public virtual async Task DisposeAsync()
    {
        _channel.Dispose();
        await _bank.DisposeAsync();
        await _platform.DisposeAsync();
    }

    protected Task<BankServerHost> StartBankAsync(Uri? platformAddress = null) => BankServerHost.StartAsync(options =>
    {
        ConfigureStore(options);
        options.Platform.Address = platformAddress ?? _platform.Address;
    });

    [Fact]
    public virtual async Task PushCreditProfile_NewerVersion_IsAppliedAndOlderIsStale()
    {
        var code = SampleData.CreditCode(1001);
        var consent = SampleData.Consent(code, ConsentScope.CreditProfile);

        var first = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 5, consent) }).ResponseAsync.WaitAsync(Timeout);
        var same = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 5, consent, grade: CreditGrade.Poor) }).ResponseAsync.WaitAsync(Timeout);
        var older = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 4, consent, grade: CreditGrade.Poor) }).ResponseAsync.WaitAsync(Timeout);
        var newer = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 6, consent, grade: CreditGrade.Excellent) }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal((ProfileOutcome.Applied, 5L), (first.Outcome, first.StoredVersion));
        Assert.Equal((ProfileOutcome.Stale, 5L), (same.Outcome, same.StoredVersion));
        Assert.Equal((ProfileOutcome.Stale, 5L), (older.Outcome, older.StoredVersion));
        Assert.Equal((ProfileOutcome.Applied, 6L), (newer.Outcome, newer.StoredVersion));
        var stored = CreditProfile.Parser.ParseFrom((await Store.GetProfileAsync(code, "platform-sh"))!.Payload);
        Assert.Equal(CreditGrade.Excellent, stored.Grade);
    }

    [Fact]
    public virtual async Task PushCreditProfile_BadCheckCharacter_InvalidArgumentNamingFieldAndNothingStored()
    {
        var profile = SampleData.Profile(SampleData.BadCheckCode, 1);

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "profile.enterprise.credit_code");
        Assert.Empty(await Store.GetProfilesAsync(SampleData.BadCheckCode));
    }

    [Fact]
    public virtual async Task PushCreditProfile_ConsentForAnotherBank_FailedPreconditionAndNothingStored()
    {
        var code = SampleData.CreditCode(1002);
        var profile = SampleData.Profile(code, 1, SampleData.Consent(code, ConsentScope.CreditProfile, bankId: "some-other-bank"));

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Empty(await Store.GetProfilesAsync(code));
    }

    [Fact]
    public virtual async Task RevokeConsent_DeletesProfileAndBlocksItUntilNewConsent()
    {
        var code = SampleData.CreditCode(1003);
        var consent = SampleData.Consent(code, ConsentScope.CreditProfile);
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, consent) }).ResponseAsync.WaitAsync(Timeout);

        var revoked = await CreditData.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = consent.ConsentId, EnterpriseCreditCode = code, RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }).ResponseAsync.WaitAsync(Timeout);
        var again = await CreditData.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = consent.ConsentId, EnterpriseCreditCode = code, RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }).ResponseAsync.WaitAsync(Timeout);
        var reuse = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 2, consent) }).ResponseAsync).WaitAsync(Timeout);
        var renewed = await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 2, SampleData.Consent(code, ConsentScope.CreditProfile)) }).ResponseAsync.WaitAsync(Timeout);

        Assert.True(revoked.ProfileDeleted);
        Assert.False(revoked.AlreadyRevoked);
        Assert.True(again.AlreadyRevoked);
        Assert.Equal(StatusCode.FailedPrecondition, reuse.StatusCode);
        Assert.Equal(ProfileOutcome.Applied, renewed.Outcome);
    }

    [Fact]
    public virtual async Task RevokeConsent_OtherEnterprisesCreditCode_InvalidArgumentNamingFieldAndProfileKept()
    {
        var code = SampleData.CreditCode(1004);
        var consent = SampleData.Consent(code, ConsentScope.CreditProfile);
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, consent) }).ResponseAsync.WaitAsync(Timeout);
        var otherCode = SampleData.CreditCode(1005);

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = consent.ConsentId, EnterpriseCreditCode = otherCode, RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["enterprise_credit_code"], error.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
        Assert.DoesNotContain(code, error.Status.Detail, StringComparison.Ordinal);
        Assert.False(await Store.IsConsentRevokedAsync(consent.ConsentId).WaitAsync(Timeout));
        Assert.Single(await Store.GetProfilesAsync(code).WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task StreamCreditProfiles_ManyWithSomeInvalid_SummaryCountsAndNamesRejections()
    {
        using var call = CreditData.StreamCreditProfiles();
        var invalidIndexes = new[] { 7, 420, 1_199 };
        for (var i = 0; i < 1_200; i++)
        {
            var code = invalidIndexes.Contains(i) ? SampleData.BadCheckCode : SampleData.CreditCode(20_000 + i);
            await call.RequestStream.WriteAsync(new StreamCreditProfilesRequest { Profile = SampleData.Profile(code, 1) }).WaitAsync(Timeout);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        var summary = await call.ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(1_197, summary.AppliedCount);
        Assert.Equal(3, summary.RejectedCount);
        Assert.Equal(invalidIndexes.Select(i => (long)i), summary.Rejections.Select(r => r.Index));
        Assert.All(summary.Rejections, r => Assert.Equal("profile.enterprise.credit_code", r.Field));
        Assert.Single(await Store.GetProfilesAsync(SampleData.CreditCode(20_000)));
    }

    [Fact]
    public virtual async Task StreamCreditProfiles_RevokedConsentsAmongInvalid_RejectedInIndexOrderAndNotStored()
    {
        var revokedCode = SampleData.CreditCode(21_000);
        var revokedConsent = SampleData.Consent(revokedCode, ConsentScope.CreditProfile);
        await CreditData.RevokeConsentAsync(new RevokeConsentRequest { ConsentId = revokedConsent.ConsentId, EnterpriseCreditCode = revokedCode, RevokedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }).ResponseAsync.WaitAsync(Timeout);
        using var call = CreditData.StreamCreditProfiles();
        // The revoked consent comes back in two batches (the server commits every 500), with invalid profiles around it.
        var revokedIndexes = new[] { 3, 640 };
        var invalidIndexes = new[] { 2, 4, 639 };
        for (var i = 0; i < 700; i++)
        {
            var profile = revokedIndexes.Contains(i) ? SampleData.Profile(revokedCode, 1, revokedConsent)
                : invalidIndexes.Contains(i) ? SampleData.Profile(SampleData.BadCheckCode, 1)
                : SampleData.Profile(SampleData.CreditCode(21_001 + i), 1);
            await call.RequestStream.WriteAsync(new StreamCreditProfilesRequest { Profile = profile }).WaitAsync(Timeout);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        var summary = await call.ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(695, summary.AppliedCount);
        Assert.Equal(5, summary.RejectedCount);
        Assert.Equal([2L, 3, 4, 639, 640], summary.Rejections.Select(r => r.Index));
        Assert.Equal(["profile.consent", "profile.consent"], summary.Rejections.Where(r => revokedIndexes.Contains((int)r.Index)).Select(r => r.Field));
        Assert.Empty(await Store.GetProfilesAsync(revokedCode).WaitAsync(Timeout));
        Assert.Single(await Store.GetProfilesAsync(SampleData.CreditCode(21_001 + 699)).WaitAsync(Timeout));
    }

    [Fact]
    public virtual async Task SubmitApplication_Retried_ReturnsFirstAnswerAndOneApplication()
    {
        var request = SampleData.Submit(SampleData.CreditCode(3001));

        var first = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var retry = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Submitted, first.Application.State);
        Assert.Equal(first, retry);
        Assert.Single(await Store.ListApplicationsAsync(ApplicationState.Submitted, 10_000), a => a.RequestId == request.RequestId);
    }

    [Fact]
    public virtual async Task SubmitApplication_ConcurrentDuplicates_CreateExactlyOneApplication()
    {
        var request = SampleData.Submit(SampleData.CreditCode(3002));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Applications.SubmitApplicationAsync(request).ResponseAsync)).WaitAsync(Timeout);

        Assert.Single(answers.Select(a => a.Application.ApplicationId).Distinct());
        Assert.Single(await Store.ListApplicationsAsync(ApplicationState.Submitted, 10_000), a => a.RequestId == request.RequestId);
    }

    [Fact]
    public virtual async Task SubmitApplication_SameRequestIdOtherPayload_AlreadyExistsAndUnchanged()
    {
        var request = SampleData.Submit(SampleData.CreditCode(3003));
        var first = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var changed = request.Clone();
        changed.RequestedAmount = SampleData.Yuan(6_000_000);

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(changed).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        var stored = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = first.Application.ApplicationId }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(request.RequestedAmount, stored.Application.RequestedAmount);
    }

    [Theory]
    [InlineData(11_000_000, 36, "requested_amount.units_minor")]
    [InlineData(5_000_000, 48, "term_months")]
    public virtual async Task SubmitApplication_ParkGuaranteeLoanOverLimit_InvalidArgumentAndNothingStored(long amountYuan, int termMonths, string field)
    {
        var request = SampleData.Submit(SampleData.CreditCode(3004), amountYuan: amountYuan, termMonths: termMonths);

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == field);
        Assert.DoesNotContain(await Store.ListApplicationsAsync(ApplicationState.Submitted, 10_000), a => a.RequestId == request.RequestId);
    }

    [Fact]
    public virtual async Task GetApplication_Unknown_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-NO-SUCH" }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public virtual async Task WithdrawApplication_BeforeAndAfterDecision_WithdrawnThenFailedPrecondition()
    {
        var open = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(3005))).ResponseAsync.WaitAsync(Timeout)).Application;
        var decided = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(3006))).ResponseAsync.WaitAsync(Timeout)).Application;
        await Bank.Decisions.ApproveAsync(decided.ApplicationId, Terms(3_000_000));

        var withdrawn = await Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = open.ApplicationId, Reason = "found other funding" }).ResponseAsync.WaitAsync(Timeout);
        var twice = await Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = open.ApplicationId }).ResponseAsync.WaitAsync(Timeout);
        var late = await Assert.ThrowsAsync<RpcException>(() => Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = decided.ApplicationId }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Withdrawn, withdrawn.Application.State);
        Assert.Equal([ApplicationState.Submitted, ApplicationState.Withdrawn], withdrawn.Application.Timeline.Select(t => t.State));
        Assert.Equal(withdrawn.Application, twice.Application);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
    }

    [Fact]
    public virtual async Task Decisions_ApproveAndTwoTranches_TimelineAndCallbacksInOrder()
    {
        var app = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(3007))).ResponseAsync.WaitAsync(Timeout)).Application;

        await Bank.Decisions.StartReviewAsync(app.ApplicationId);
        await Bank.Decisions.ApproveAsync(app.ApplicationId, Terms(5_000_000));
        await Bank.Decisions.DisburseAsync(app.ApplicationId, SampleData.Yuan(2_000_000), "6222020200112233445");
        await Bank.Decisions.DisburseAsync(app.ApplicationId, SampleData.Yuan(3_000_000), "6222020200112233445");
        var callbacks = await Platform.WaitForAsync(app.ApplicationId, 3);
        var current = (await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = app.ApplicationId }).ResponseAsync.WaitAsync(Timeout)).Application;

        Assert.Equal([1UL, 2UL, 3UL], callbacks.Select(c => c.Sequence));
        Assert.Equal(["decision:Approved", "disbursement:Paid", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        var secondTranche = (NotifyDisbursementRequest)callbacks[2].Message;
        Assert.Equal(2, secondTranche.TrancheNumber);
        Assert.Equal("6222 **** **** ***3 445", secondTranche.MaskedAccount);
        Assert.Equal(ApplicationState.Disbursed, current.State);
        Assert.Equal(500_000_000, current.DisbursedTotal.UnitsMinor);
        Assert.Equal([ApplicationState.Submitted, ApplicationState.UnderReview, ApplicationState.Approved, ApplicationState.Disbursed, ApplicationState.Disbursed], current.Timeline.Select(t => t.State));
        Assert.Equal([1UL, 2UL, 3UL, 4UL, 5UL], current.Timeline.Select(t => t.Sequence));
    }

    [Fact]
    public virtual async Task Decisions_DisburseBeforeApprovalOrAboveApproved_RefusedAndNothingQueued()
    {
        var app = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(3008))).ResponseAsync.WaitAsync(Timeout)).Application;

        await Assert.ThrowsAsync<ApplicationTransitionException>(() => Bank.Decisions.DisburseAsync(app.ApplicationId, SampleData.Yuan(1_000), "6222020200112233445"));
        await Bank.Decisions.ApproveAsync(app.ApplicationId, Terms(1_000_000));
        await Assert.ThrowsAsync<ApplicationTransitionException>(() => Bank.Decisions.DisburseAsync(app.ApplicationId, SampleData.Yuan(1_000_001), "6222020200112233445"));
        var callbacks = await Platform.WaitForAsync(app.ApplicationId, 1);
        await Task.Delay(200);

        Assert.Single(Platform.Received, r => r.ApplicationId == app.ApplicationId);
        Assert.Equal("decision:Approved", callbacks[0].Kind);
        Assert.Equal(ApplicationState.Approved, (await Store.GetApplicationAsync(app.ApplicationId))!.State);
    }

    [Fact]
    public virtual async Task QuoteFinancing_WithStoredProfile_UsesGradeAndRevenueCap()
    {
        var code = SampleData.CreditCode(4001);
        var request = new QuoteFinancingRequest { EnterpriseCreditCode = code, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = SampleData.Yuan(5_000_000), TermMonths = 36, AnnualRevenue = SampleData.Yuan(15_000_000) };
        var blind = await Applications.QuoteFinancingAsync(request).ResponseAsync.WaitAsync(Timeout);
        await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Excellent, score: 900) }).ResponseAsync.WaitAsync(Timeout);

        var informed = await Applications.QuoteFinancingAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(300, informed.SubsidyCapBp);
        Assert.Equal(10, informed.GuaranteeFeeBp);
        Assert.True(informed.IndicativeLimit.UnitsMinor > blind.IndicativeLimit.UnitsMinor);
        Assert.True(informed.AnnualRateBp < blind.AnnualRateBp);
        Assert.True(informed.ValidUntil.ToDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public virtual async Task Outbox_PlatformDownThenServerRestarted_PendingCallbackDeliveredAfterRestart()
    {
        var app = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(5001))).ResponseAsync.WaitAsync(Timeout)).Application;
        var platformPort = Platform.Address.Port;
        await Platform.DisposeAsync();
        await Bank.Decisions.ApproveAsync(app.ApplicationId, Terms(2_000_000));
        await Task.Delay(300);
        await _bank.DisposeAsync();

        _platform = await RecordingPlatform.StartAsync(platformPort);
        _bank = await StartBankAsync(_platform.Address);
        var callbacks = await _platform.WaitForAsync(app.ApplicationId, 1);

        Assert.Equal("decision:Approved", Assert.Single(callbacks).Kind);
    }

    [Fact]
    public virtual async Task Outbox_PlatformUnavailableTwice_RetriedAndDeliveredOnce()
    {
        var app = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(5002))).ResponseAsync.WaitAsync(Timeout)).Application;
        Platform.Failures.Enqueue(StatusCode.Unavailable);
        Platform.Failures.Enqueue(StatusCode.Unavailable);

        await Bank.Decisions.RejectAsync(app.ApplicationId, new Rejection { ReasonCodes = { "SCORE_TOO_LOW" }, Message = "score below policy" });
        var callbacks = await Platform.WaitForAsync(app.ApplicationId, 1);
        await Task.Delay(200);

        Assert.Equal("decision:Rejected", Assert.Single(callbacks).Kind);
        Assert.Single(Platform.Received, r => r.ApplicationId == app.ApplicationId);
    }

    [Fact]
    public virtual async Task Outbox_PermanentRefusal_ParkedAsDeadLetterAndRedriveDelivers()
    {
        var app = (await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(5003))).ResponseAsync.WaitAsync(Timeout)).Application;
        Platform.Failures.Enqueue(StatusCode.FailedPrecondition);

        await Bank.Decisions.ApproveAsync(app.ApplicationId, Terms(1_000_000));
        var parked = await WaitForDeadLetterAsync(app.ApplicationId);
        await Bank.Decisions.DisburseAsync(app.ApplicationId, SampleData.Yuan(500_000), "6222020200112233445");
        await Task.Delay(300);
        var heldBack = Platform.Received.Count(r => r.ApplicationId == app.ApplicationId);
        Assert.True(await Store.RedriveAsync(parked.Id, DateTimeOffset.UtcNow));
        var callbacks = await Platform.WaitForAsync(app.ApplicationId, 2);

        Assert.StartsWith("FAILED_PRECONDITION", parked.Reason, StringComparison.Ordinal);
        Assert.Equal(0, heldBack);
        Assert.Equal([1UL, 2UL], callbacks.Select(c => c.Sequence));
    }

    private async Task<DeadLetter> WaitForDeadLetterAsync(string applicationId)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var letter = (await Store.ListDeadLettersAsync(1_000)).FirstOrDefault(d => d.Message.ApplicationId == applicationId);
            if (letter is not null)
            {
                return letter;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("No dead letter for " + applicationId);
    }

    private static ApprovedTerms Terms(long yuan) => new() { Amount = SampleData.Yuan(yuan), AnnualRateBp = 385, TermMonths = 36, Conditions = { "monthly statements" } };
}

/// <summary>The suite on the embedded SQLite store, in a fresh data directory.</summary>
public sealed class SqliteBankServerTests : BankServerTests
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-bank-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureStore(ConnectorKitServerOptions options)
    {
        options.Store = StoreKind.Sqlite;
        options.DataDirectory = _dataDirectory;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

/// <summary>The suite on PostgreSQL: a fresh database on the server eng/test.sh starts (CONNECTORKIT_TEST_POSTGRES).</summary>
public sealed class PostgresBankServerTests : BankServerTests
{
    private readonly string _database = "ck_bank_" + Guid.NewGuid().ToString("N");
    private string _connectionString = string.Empty;

    protected override void ConfigureStore(ConnectorKitServerOptions options)
    {
        options.Store = StoreKind.PostgreSql;
        options.PostgresConnectionString = _connectionString;
    }

    public override async Task InitializeAsync()
    {
        var maintenance = Environment.GetEnvironmentVariable(Storage.PostgresStoreFixture.Variable);
        if (string.IsNullOrWhiteSpace(maintenance))
        {
            throw new InvalidOperationException($"{Storage.PostgresStoreFixture.Variable} is not set; run eng/test.sh, which starts a throw-away PostgreSQL.");
        }

        await using (var connection = new Npgsql.NpgsqlConnection(maintenance))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await command.ExecuteNonQueryAsync();
        }

        _connectionString = new Npgsql.NpgsqlConnectionStringBuilder(maintenance) { Database = _database }.ConnectionString;
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var connection = new Npgsql.NpgsqlConnection(Environment.GetEnvironmentVariable(Storage.PostgresStoreFixture.Variable));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
