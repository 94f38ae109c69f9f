using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace ConnectorKit.Client.Tests.Receiver;

/// <summary>
/// The receiver as a bank sees it, over a real port with the generated client: the contract's order of checks,
/// deduplication, ordering and the state machine. Runs on every store (see the sealed subclasses).
/// </summary>
public abstract class LoanEventsReceiverTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : CallbackStoreFixture
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    protected static readonly DateTimeOffset SubmittedAt = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Notify_InOrderEvents_AppliedAndHandlerCalledOncePerEvent()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var decision = await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        var first = await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 400_000));
        var second = await DisburseAsync(host, CallbackHost.TokenA, Paid("e3", "app-1", 3, tranche: 2, yuan: 600_000));

        Assert.False(decision.Duplicate);
        Assert.False(first.Duplicate);
        Assert.False(second.Duplicate);
        Assert.Equal(["e1", "e2", "e3"], host.Handler.Calls.Select(c => c.Context.EventId));
        Assert.Equal(["decision", "disbursement", "disbursement"], host.Handler.Calls.Select(c => c.Rpc));
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Disbursed, stored!.State);
        Assert.Equal(100_000_000, stored.DisbursedTotalMinor);
        Assert.Equal(3UL, stored.LastSequence);
        Assert.Equal(2, stored.LastTranche);
    }

    [Fact]
    public async Task Notify_DuplicateEvent_AnswersDuplicateWithoutCallingHandlerAgain()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 400_000));

        var again = await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        var paidAgain = await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 400_000));

        Assert.True(again.Duplicate);
        Assert.True(paidAgain.Duplicate);
        Assert.Equal(2, host.Handler.Calls.Count);
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(40_000_000, stored!.DisbursedTotalMinor);
    }

    [Fact]
    public async Task Notify_ReusedEventIdWithDifferentRequest_AlreadyExists()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 2_000_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Single(host.Handler.Calls);
    }

    [Fact]
    public async Task Notify_SequenceThreeBeforeTwo_FailedPreconditionNamingTwoThenAppliesAfterTwo()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        var third = Paid("e3", "app-1", 3, tranche: 2, yuan: 100_000);

        var early = await Assert.ThrowsAsync<RpcException>(() => DisburseAsync(host, CallbackHost.TokenA, third)).WaitAsync(Timeout);
        await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 100_000));
        var retried = await DisburseAsync(host, CallbackHost.TokenA, third);

        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Contains("expects sequence 2", early.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("2", early.GetDetail<ErrorInfo>()!.Metadata["expected_sequence"]);
        Assert.False(retried.Duplicate);
        Assert.Equal(["e1", "e2", "e3"], host.Handler.Calls.Select(c => c.Context.EventId));
    }

    [Fact]
    public async Task Notify_FirstEventWithSequenceTwo_FailedPreconditionNamingOne()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, Approve("e2", "app-1", 2, yuan: 1_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("expects sequence 1", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(host.Handler.Calls);
    }

    [Fact]
    public async Task Notify_TokenOfBankBWithHeaderBankA_PermissionDenied()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenB, Approve("e1", "app-1", 1, yuan: 1_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
    }

    [Fact]
    public async Task Notify_BankBEventOnBankAApplication_PermissionDenied()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var error = await Assert.ThrowsAsync<RpcException>(
            () => DecideAsync(host, CallbackHost.TokenB, Approve("e1", "app-1", 1, yuan: 1_000, bankId: CallbackHost.BankB))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
        Assert.Equal(0UL, (await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout))!.LastSequence);
    }

    [Fact]
    public async Task Notify_UnknownApplication_NotFound()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, Approve("e1", "nope", 1, yuan: 1_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Notify_WithoutToken_Unauthenticated()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var error = await Assert.ThrowsAsync<RpcException>(
            () => host.Client.NotifyApprovalDecisionAsync(Approve("e1", "app-1", 1, yuan: 1_000)).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData("sequence", "header.sequence")]
    [InlineData("event_id", "header.event_id")]
    [InlineData("no_outcome", "outcome")]
    [InlineData("negative_amount", "approved.amount.units_minor")]
    [InlineData("currency", "approved.amount.currency_code")]
    public async Task NotifyApprovalDecision_InvalidInput_InvalidArgumentNamingField(string defect, string field)
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        var request = Approve("e1", "app-1", 1, yuan: 1_000);
        switch (defect)
        {
            case "sequence": request.Header.Sequence = 0; break;
            case "event_id": request.Header.EventId = "bad id with spaces"; break;
            case "no_outcome": request.ClearOutcome(); break;
            case "negative_amount": request.Approved.Amount.UnitsMinor = -1; break;
            case "currency": request.Approved.Amount.CurrencyCode = "USD"; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, request)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == field);
        Assert.Empty(host.Handler.Calls);
    }

    [Theory]
    [InlineData("6222 1234 5678 1234", "masked_account")]
    [InlineData("62221234****12345678", "masked_account")]
    [InlineData("tranche", "tranche_number")]
    [InlineData("status", "status")]
    public async Task NotifyDisbursement_InvalidInput_InvalidArgumentNamingField(string defect, string field)
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        var request = Paid("e1", "app-1", 1, tranche: 1, yuan: 1_000);
        switch (defect)
        {
            case "tranche": request.TrancheNumber = 0; break;
            case "status": request.Status = DisbursementStatus.Unspecified; break;
            default: request.MaskedAccount = defect; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => DisburseAsync(host, CallbackHost.TokenA, request)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == field);
        Assert.DoesNotContain("5678", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifyDisbursement_BeforeApproval_FailedPrecondition()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");

        var error = await Assert.ThrowsAsync<RpcException>(() => DisburseAsync(host, CallbackHost.TokenA, Paid("e1", "app-1", 1, tranche: 1, yuan: 1_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("SUBMITTED", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(host.Handler.Calls);
        Assert.Equal(0UL, (await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout))!.LastSequence);
    }

    [Fact]
    public async Task NotifyDisbursement_AboveApprovedAmount_FailedPreconditionAndNothingChanges()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 900_000));

        var error = await Assert.ThrowsAsync<RpcException>(() => DisburseAsync(host, CallbackHost.TokenA, Paid("e3", "app-1", 3, tranche: 2, yuan: 100_001))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("above the approved", error.Status.Detail, StringComparison.Ordinal);
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(90_000_000, stored!.DisbursedTotalMinor);
        Assert.Equal(2UL, stored.LastSequence);
        Assert.Equal(2, host.Handler.Calls.Count);
    }

    [Fact]
    public async Task NotifyDisbursement_TrancheOverflowingTheTotal_FailedPreconditionAndNothingChanges()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        await DisburseAsync(host, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 900_000));
        // 90,000,000 + long.MaxValue wraps to a negative total, which a plain "total > approved" check lets through.
        var huge = Paid("e3", "app-1", 3, tranche: 2, yuan: 1);
        huge.Amount.UnitsMinor = long.MaxValue;

        var error = await Assert.ThrowsAsync<RpcException>(() => DisburseAsync(host, CallbackHost.TokenA, huge)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(90_000_000, stored!.DisbursedTotalMinor);
        Assert.Equal(2UL, stored.LastSequence);
        Assert.Equal(2, host.Handler.Calls.Count);
    }

    [Fact]
    public async Task NotifyApprovalDecision_AfterRejection_FailedPrecondition()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        var reject = Approve("e1", "app-1", 1, yuan: 1);
        reject.Rejected = new Rejection { ReasonCodes = { "CREDIT_GRADE_TOO_LOW" } };
        await DecideAsync(host, CallbackHost.TokenA, reject);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, Approve("e2", "app-1", 2, yuan: 1_000))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("REJECTED", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notify_HandlerThrows_UnavailableThenRedeliveryAppliedOnce()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        host.Handler.FailNext(1);
        var request = Approve("e1", "app-1", 1, yuan: 1_000_000);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(host, CallbackHost.TokenA, request)).WaitAsync(Timeout);
        var afterFailure = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        var redelivered = await DecideAsync(host, CallbackHost.TokenA, request);
        var again = await DecideAsync(host, CallbackHost.TokenA, request);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(ApplicationState.Submitted, afterFailure!.State);
        Assert.False(redelivered.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Single(host.Handler.Calls);
    }

    [Fact]
    public async Task Notify_AfterRestartOnSameDatabase_RemembersProcessedEventIds()
    {
        var database = fixture.NewDatabase();
        await using (var first = await CallbackHost.StartAsync(database))
        {
            await SubmitAsync(first, CallbackHost.BankA, "app-1");
            await DecideAsync(first, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        }

        await using var restarted = await CallbackHost.StartAsync(database);
        var again = await DecideAsync(restarted, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000));
        var next = await DisburseAsync(restarted, CallbackHost.TokenA, Paid("e2", "app-1", 2, tranche: 1, yuan: 1_000));

        Assert.True(again.Duplicate);
        Assert.False(next.Duplicate);
        Assert.Equal(["e2"], restarted.Handler.Calls.Select(c => c.Context.EventId));
    }

    [Fact]
    public async Task Notify_AppliedEvents_TimelineAndDurationsFromOccurredAt()
    {
        await using var host = await CallbackHost.StartAsync(fixture.NewDatabase());
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        await DecideAsync(host, CallbackHost.TokenA, Approve("e1", "app-1", 1, yuan: 1_000_000, at: SubmittedAt.AddDays(2)));
        var failed = Paid("e2", "app-1", 2, tranche: 1, yuan: 500_000, at: SubmittedAt.AddDays(2).AddHours(3));
        failed.Status = DisbursementStatus.Failed;
        failed.PaidAt = null;
        failed.FailureReason = "Receiving account frozen";
        await DisburseAsync(host, CallbackHost.TokenA, failed);
        await DisburseAsync(host, CallbackHost.TokenA, Paid("e3", "app-1", 3, tranche: 1, yuan: 500_000, at: SubmittedAt.AddDays(3)));

        var timeline = await host.Timelines.GetTimelineAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);

        Assert.Equal(
            [ApplicationState.Submitted, ApplicationState.Approved, ApplicationState.Approved, ApplicationState.Disbursed],
            timeline!.Steps.Select(s => s.State));
        Assert.Equal([SubmittedAt, SubmittedAt.AddDays(2), SubmittedAt.AddDays(2).AddHours(3), SubmittedAt.AddDays(3)], timeline.Steps.Select(s => s.At));
        Assert.Equal(TimeSpan.FromDays(2), timeline.TimeToDecision);
        Assert.Equal(TimeSpan.FromDays(3), timeline.TimeToMoney);
        Assert.True(timeline.DecidedWithinServiceLevel);
        Assert.False(timeline.MoneyWithinServiceLevel);
    }

    protected static Task SubmitAsync(CallbackHost host, string bankId, string applicationId) => host.Tracker.RecordSubmittedAsync(
        bankId,
        new Application
        {
            ApplicationId = applicationId,
            EnterpriseCreditCode = "91310110666007217T",
            Product = ProductType.CreditLoan,
            RequestedAmount = new Money { UnitsMinor = 100_000_000, CurrencyCode = "CNY" },
            State = ApplicationState.Submitted,
        },
        SubmittedAt).WaitAsync(Timeout);

    protected static Task<NotifyApprovalDecisionResponse> DecideAsync(CallbackHost host, string token, NotifyApprovalDecisionRequest request)
        => host.Client.NotifyApprovalDecisionAsync(request, CallbackHost.Bearer(token)).ResponseAsync.WaitAsync(Timeout);

    protected static Task<NotifyDisbursementResponse> DisburseAsync(CallbackHost host, string token, NotifyDisbursementRequest request)
        => host.Client.NotifyDisbursementAsync(request, CallbackHost.Bearer(token)).ResponseAsync.WaitAsync(Timeout);

    protected static NotifyApprovalDecisionRequest Approve(string eventId, string applicationId, ulong sequence, long yuan, string bankId = CallbackHost.BankA, DateTimeOffset? at = null) => new()
    {
        Header = Header(eventId, applicationId, sequence, bankId, at),
        Approved = new ApprovedTerms { Amount = new Money { UnitsMinor = yuan * 100, CurrencyCode = "CNY" }, AnnualRateBp = 345, TermMonths = 12 },
    };

    protected static NotifyDisbursementRequest Paid(string eventId, string applicationId, ulong sequence, int tranche, long yuan, DateTimeOffset? at = null) => new()
    {
        Header = Header(eventId, applicationId, sequence, CallbackHost.BankA, at),
        TrancheNumber = tranche,
        Amount = new Money { UnitsMinor = yuan * 100, CurrencyCode = "CNY" },
        Status = DisbursementStatus.Paid,
        MaskedAccount = "6222 **** **** 1234",
        PaidAt = Timestamp.FromDateTimeOffset(at ?? SubmittedAt.AddDays(1)),
    };

    private static EventHeader Header(string eventId, string applicationId, ulong sequence, string bankId, DateTimeOffset? at) => new()
    {
        EventId = eventId,
        ApplicationId = applicationId,
        BankId = bankId,
        Sequence = sequence,
        OccurredAt = Timestamp.FromDateTimeOffset(at ?? SubmittedAt.AddDays(1)),
    };
}

public sealed class SqliteLoanEventsReceiverTests(SqliteCallbackStoreFixture fixture) : LoanEventsReceiverTests<SqliteCallbackStoreFixture>(fixture);

public sealed class PostgresLoanEventsReceiverTests(PostgresCallbackStoreFixture fixture) : LoanEventsReceiverTests<PostgresCallbackStoreFixture>(fixture);
