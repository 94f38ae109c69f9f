using ConnectorKit.Grpc;
using ConnectorKit.Server.Outbox;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Outbox.Infrastructure;
using ConnectorKit.Server.Tests.Storage;
using Microsoft.Extensions.Logging;
using static ConnectorKit.Server.Tests.Outbox.Infrastructure.OutboxTestKit;

namespace ConnectorKit.Server.Tests.Outbox;

/// <summary>The dispatcher on the SQLite store, delivering to a real platform endpoint (Kestrel h2c on a free port).</summary>
public sealed class OutboxDispatcherTests(SqliteStoreFixture stores, TestPlatformFixture platform)
    : IClassFixture<SqliteStoreFixture>, IClassFixture<TestPlatformFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = OutboxTestKit.Timeout;

    private readonly List<IAsyncDisposable> _cleanup = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Dispatchers first, then the stores they use.
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            await item.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task Dispatcher_SeveralApplications_DeliversEachInSequenceOrder()
    {
        var store = await NewStoreAsync();
        var applications = new List<SeededApplication>();
        for (var i = 0; i < 4; i++)
        {
            applications.Add(await ApplicationWithEventsAsync(store, 3));
        }

        await StartDispatcherAsync(store, platform.Address);
        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the outbox is empty");

        foreach (var application in applications)
        {
            Assert.Equal([1L, 2L, 3L], AcknowledgedSequences(platform.Script, application.ApplicationId));
            var calls = platform.Script.Received.Where(c => c.ApplicationId == application.ApplicationId).ToList();
            Assert.Equal(application.EventIds, calls.Select(c => c.EventId));
            Assert.Equal(["NotifyApprovalDecision", "NotifyDisbursement", "NotifyApprovalDecision"], calls.Select(c => c.Method));
            Assert.All(calls, c => Assert.Equal(BankId, c.BankId));
        }
    }

    [Fact]
    public async Task Dispatcher_UnavailableTwiceThenOk_RetriesAndDelivers()
    {
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 2);
        platform.Script.Answer(application.EventIds[0], (StatusCode.Unavailable, "platform restarting"), (StatusCode.Unavailable, "platform restarting"));

        var dispatcher = await StartDispatcherAsync(store, platform.Address);
        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the outbox is empty");

        var first = platform.Script.Received.Where(c => c.EventId == application.EventIds[0]).Select(c => c.Answer);
        Assert.Equal([StatusCode.Unavailable, StatusCode.Unavailable, StatusCode.OK], first);
        Assert.Equal([1L, 2L], AcknowledgedSequences(platform.Script, application.ApplicationId));
        var warnings = dispatcher.Log.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("UNAVAILABLE", w.Message));
        Assert.DoesNotContain(dispatcher.Log.Entries, e => e.Message.Contains(PayloadMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispatcher_FailedPrecondition_ParksTheEventAndHoldsLaterOnesOfItsApplication()
    {
        var store = await NewStoreAsync();
        var refused = await ApplicationWithEventsAsync(store, 3);
        var healthy = await ApplicationWithEventsAsync(store, 2);
        platform.Script.Answer(refused.EventIds[0], (StatusCode.FailedPrecondition, "application is already decided"));

        var dispatcher = await StartDispatcherAsync(store, platform.Address);
        await EventuallyAsync(async () => (await store.GetOutboxStatsAsync()).DeadLetters == 1, "the refused event is parked");
        await EventuallyAsync(() => AcknowledgedSequences(platform.Script, healthy.ApplicationId).Count == 2, "the other application is delivered");

        // Twenty poll intervals: time enough for the held events to go out if they were not held.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var dead = Assert.Single(await store.ListDeadLettersAsync(10).WaitAsync(Timeout));
        Assert.Equal(refused.EventIds[0], dead.Message.EventId);
        Assert.Equal("FAILED_PRECONDITION: application is already decided", dead.Reason);
        Assert.Equal([refused.EventIds[0]], platform.Script.Received.Where(c => c.ApplicationId == refused.ApplicationId).Select(c => c.EventId));
        Assert.Equal(2, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending);
        var parked = Assert.Single(dispatcher.Log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("dead letters", StringComparison.Ordinal));
        Assert.Contains("FAILED_PRECONDITION", parked.Message);
        Assert.DoesNotContain(dispatcher.Log.Entries, e => e.Message.Contains(PayloadMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeadLetterAdmin_Redrive_DeliversTheParkedEventThenTheHeldOnes()
    {
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 3);
        platform.Script.Answer(application.EventIds[0], (StatusCode.FailedPrecondition, "expected sequence 1"));
        var dispatcher = await StartDispatcherAsync(store, platform.Address);
        var admin = new DeadLetterAdmin(store, dispatcher.Dispatcher);
        await EventuallyAsync(async () => (await admin.GetStatsAsync()).DeadLetters == 1, "the event is parked");
        var dead = Assert.Single(await admin.ListAsync().WaitAsync(Timeout));

        var redriven = await admin.RedriveAsync(dead.Id).WaitAsync(Timeout);

        Assert.True(redriven);
        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the outbox is empty");
        Assert.Equal([1L, 2L, 3L], AcknowledgedSequences(platform.Script, application.ApplicationId));
        Assert.Equal(
            [(1L, StatusCode.FailedPrecondition), (1L, StatusCode.OK), (2L, StatusCode.OK), (3L, StatusCode.OK)],
            platform.Script.Received.Where(c => c.ApplicationId == application.ApplicationId).Select(c => (c.Sequence, c.Answer)));
        Assert.Empty(await admin.ListAsync().WaitAsync(Timeout));
        Assert.False(await admin.RedriveAsync(dead.Id).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Dispatcher_RestartedOnTheSameDatabaseFile_DeliversWhatWasPending()
    {
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 3);
        var unavailable = Enumerable.Repeat((StatusCode.Unavailable, "down for maintenance"), 1000).ToArray();
        platform.Script.Answer(application.EventIds[0], unavailable);
        var first = await StartDispatcherAsync(store, platform.Address);
        await EventuallyAsync(() => platform.Script.Received.Any(c => c.EventId == application.EventIds[0]), "a delivery was attempted");

        await first.StopAsync();
        await ((IAsyncDisposable)store).DisposeAsync().AsTask().WaitAsync(Timeout);
        platform.Script.Forget(application.EventIds[0]);
        var reopened = Track(stores.OpenAgain(store));
        var pending = await reopened.GetOutboxStatsAsync().WaitAsync(Timeout);
        await StartDispatcherAsync(reopened, platform.Address);

        Assert.Equal(3, pending.Pending);
        Assert.Equal(1, pending.Retrying);
        await EventuallyAsync(() => OutboxIsEmptyAsync(reopened), "the reopened outbox is empty");
        Assert.Equal([1L, 2L, 3L], AcknowledgedSequences(platform.Script, application.ApplicationId));
    }

    [Fact]
    public async Task Dispatcher_PlatformDown_KeepsEventsAndDeliversOnceItIsUp()
    {
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 2);
        var port = TestPlatformServer.FreePort();
        var script = new PlatformScript();
        await StartDispatcherAsync(store, new Uri($"http://127.0.0.1:{port}"));

        await EventuallyAsync(async () => (await store.GetOutboxStatsAsync()).Retrying == 1, "a failed attempt is recorded");
        var whileDown = await store.GetOutboxStatsAsync().WaitAsync(Timeout);
        await using var server = await TestPlatformServer.StartAsync(script, port);

        Assert.Equal(2, whileDown.Pending);
        Assert.Equal(0, whileDown.DeadLetters);
        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the outbox is empty");
        Assert.Equal([1L, 2L], AcknowledgedSequences(script, application.ApplicationId));
    }

    [Fact]
    public async Task Dispatcher_Nudge_DeliversWithoutWaitingForThePoll()
    {
        var store = await NewStoreAsync();
        var dispatcher = await StartDispatcherAsync(store, platform.Address, pollInterval: TimeSpan.FromMinutes(5));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var application = await ApplicationWithEventsAsync(store, 2);

        dispatcher.Dispatcher.Nudge();

        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the nudged events are delivered", within: TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L], AcknowledgedSequences(platform.Script, application.ApplicationId));
    }

    [Fact]
    public async Task Dispatcher_StoppedDuringADelivery_FinishesItAndRecordsTheOutcome()
    {
        var script = new PlatformScript { Delay = TimeSpan.FromMilliseconds(500) };
        await using var slowPlatform = await TestPlatformServer.StartAsync(script);
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 1);
        var dispatcher = await StartDispatcherAsync(store, slowPlatform.Address);
        await EventuallyAsync(() => script.Received.Count == 1, "the delivery is in flight");

        await dispatcher.StopAsync();

        Assert.True(await OutboxIsEmptyAsync(store));
        Assert.Equal([1L], AcknowledgedSequences(script, application.ApplicationId));
    }

    [Fact]
    public async Task Dispatcher_Unauthenticated_RetriesAsAConfigurationFaultInsteadOfParking()
    {
        var store = await NewStoreAsync();
        var application = await ApplicationWithEventsAsync(store, 1);
        platform.Script.Answer(application.EventIds[0], (StatusCode.Unauthenticated, "token expired"), (StatusCode.Unauthenticated, "token expired"));

        var dispatcher = await StartDispatcherAsync(store, platform.Address);
        await EventuallyAsync(() => OutboxIsEmptyAsync(store), "the outbox is empty");

        Assert.Equal(0, (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).DeadLetters);
        Assert.Equal([1L], AcknowledgedSequences(platform.Script, application.ApplicationId));
        var errors = dispatcher.Log.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("UNAUTHENTICATED", e.Message));
    }

    [Fact]
    public async Task Dispatcher_NoPlatformAddress_LeavesEventsInTheOutbox()
    {
        var store = await NewStoreAsync();
        await ApplicationWithEventsAsync(store, 2);

        var dispatcher = await StartDispatcherAsync(store, address: null);
        await EventuallyAsync(() => dispatcher.Log.Entries.Any(e => e.Message.Contains("No platform address", StringComparison.Ordinal)), "the dispatcher reports the missing address");
        await Task.Delay(TimeSpan.FromMilliseconds(200));

        var stats = await store.GetOutboxStatsAsync().WaitAsync(Timeout);
        Assert.Equal(2, stats.Pending);
        Assert.Equal(0, stats.Retrying);
    }

    private async Task<IConnectorKitStore> NewStoreAsync() => Track(await stores.CreateStoreAsync().WaitAsync(Timeout));

    private IConnectorKitStore Track(IConnectorKitStore store)
    {
        _cleanup.Add((IAsyncDisposable)store);
        return store;
    }

    private async Task<RunningDispatcher> StartDispatcherAsync(IOutboxStore store, Uri? address, TimeSpan? pollInterval = null)
    {
        var dispatcher = await RunningDispatcher.StartAsync(store, Options(address, pollInterval));
        _cleanup.Add(dispatcher);
        return dispatcher;
    }
}
