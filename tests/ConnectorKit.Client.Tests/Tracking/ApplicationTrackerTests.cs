using System.Collections.Concurrent;
using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;
using Microsoft.Data.Sqlite;

namespace ConnectorKit.Client.Tests.Tracking;

public sealed class ApplicationTrackerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "connectorkit-tracker-" + Guid.NewGuid().ToString("N"));
    private SqlitePlatformStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = SqlitePlatformStore.ForDataDirectory(_directory);
        await _store.MigrateAsync().WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task MigrateAsync_NewFile_SchemaVersionOneInDataDirectory()
    {
        var version = await _store.GetSchemaVersionAsync().WaitAsync(Timeout);
        await _store.MigrateAsync().WaitAsync(Timeout);

        Assert.Equal(1, version);
        Assert.Equal(1, await _store.GetSchemaVersionAsync().WaitAsync(Timeout));
        Assert.Equal(Path.Combine(_directory, "connectorkit-platform.db"), _store.DatabasePath);
    }

    [Fact]
    public async Task RecordSubmittedAsync_SameApplicationTwice_KeepsFirstRecord()
    {
        var tracker = new ApplicationTracker(_store);

        await tracker.RecordSubmittedAsync("bank-a", Application("app-1", 1_000), Monday).WaitAsync(Timeout);
        await tracker.RecordSubmittedAsync("bank-a", Application("app-1", 9_999), Monday.AddDays(1)).WaitAsync(Timeout);
        var timeline = await tracker.GetTimelineAsync("bank-a", "app-1").WaitAsync(Timeout);

        Assert.Equal(1_000, timeline!.Application.RequestedAmountMinor);
        Assert.Equal([new TimelineStep(ApplicationState.Submitted, Monday, string.Empty)], timeline.Steps);
        Assert.Null(timeline.TimeToDecision);
        Assert.Null(timeline.TimeToMoney);
        Assert.Null(await tracker.GetTimelineAsync("bank-b", "app-1").WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetServiceLevelReportAsync_BankAndPeriod_OnlyMatchingApplications()
    {
        var tracker = new ApplicationTracker(_store);
        await tracker.RecordSubmittedAsync("bank-a", Application("a1", 1), Monday).WaitAsync(Timeout);
        await tracker.RecordSubmittedAsync("bank-a", Application("a2", 1), Monday.AddDays(10)).WaitAsync(Timeout);
        await tracker.RecordSubmittedAsync("bank-b", Application("b1", 1), Monday).WaitAsync(Timeout);

        var bankA = await tracker.GetServiceLevelReportAsync(bankId: "bank-a").WaitAsync(Timeout);
        var firstWeek = await tracker.GetServiceLevelReportAsync(Monday, Monday.AddDays(7)).WaitAsync(Timeout);

        Assert.Equal(2, bankA.Applications);
        Assert.Equal(2, firstWeek.Applications);
        Assert.Equal(0, firstWeek.TimeToDecision.Count);
    }

    [Fact]
    public async Task ApplyEventAsync_HandlerThrows_NothingStored()
    {
        var tracker = new ApplicationTracker(_store);
        await tracker.RecordSubmittedAsync("bank-a", Application("app-1", 1), Monday).WaitAsync(Timeout);
        var incoming = new IncomingEvent("bank-a", "e1", "app-1", 1, [1, 2, 3], Monday);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.ApplyEventAsync(
            incoming,
            a => EventTransition.Accept(a with { State = ApplicationState.UnderReview }),
            (_, _, _) => throw new InvalidOperationException("down"))).WaitAsync(Timeout);
        var calls = 0;
        var retried = await _store.ApplyEventAsync(
            incoming,
            a => EventTransition.Accept(a with { State = ApplicationState.UnderReview }),
            (_, _, _) => { calls++; return Task.CompletedTask; }).WaitAsync(Timeout);

        Assert.Equal(ApplyEventOutcome.Applied, retried.Outcome);
        Assert.Equal(1, calls);
        Assert.Equal(ApplicationState.UnderReview, (await _store.GetAsync("bank-a", "app-1").WaitAsync(Timeout))!.State);
    }

    [Fact]
    public async Task ApplyEventAsync_CallerGoneAfterHandlerRan_EventCommittedAndRedeliveryIsDuplicate()
    {
        var tracker = new ApplicationTracker(_store);
        await tracker.RecordSubmittedAsync("bank-a", Application("app-1", 1), Monday).WaitAsync(Timeout);
        var incoming = new IncomingEvent("bank-a", "e1", "app-1", 1, [1, 2, 3], Monday);
        using var caller = new CancellationTokenSource();
        var calls = 0;

        // The bank's connection drops (a crash, a reset) just after the platform's handler did its work.
        var first = await _store.ApplyEventAsync(
            incoming,
            a => EventTransition.Accept(a with { State = ApplicationState.UnderReview }),
            (_, _, _) => { calls++; caller.Cancel(); return Task.CompletedTask; },
            caller.Token).WaitAsync(Timeout);
        var redelivered = await _store.ApplyEventAsync(
            incoming,
            a => EventTransition.Accept(a with { State = ApplicationState.UnderReview }),
            (_, _, _) => { calls++; return Task.CompletedTask; }).WaitAsync(Timeout);

        Assert.Equal(ApplyEventOutcome.Applied, first.Outcome);
        Assert.Equal(ApplyEventOutcome.Duplicate, redelivered.Outcome);
        Assert.Equal(1, calls);
        Assert.Equal(ApplicationState.UnderReview, (await _store.GetAsync("bank-a", "app-1").WaitAsync(Timeout))!.State);
    }

    [Fact]
    public async Task ApplyEventAsync_EventsQueuedTogetherAndOneHandlerThrows_OnlyThatEventFailsAndItsRetryApplies()
    {
        var tracker = new ApplicationTracker(_store);
        for (var i = 0; i < 10; i++)
        {
            await tracker.RecordSubmittedAsync("bank-a", Application($"app-{i}", 1), Monday).WaitAsync(Timeout);
        }

        var calls = new ConcurrentDictionary<string, int>();
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<ApplyEventResult> Apply(int i, Func<Task> work) => _store.ApplyEventAsync(
            new IncomingEvent("bank-a", $"e{i}", $"app-{i}", 1, [1, 2, 3], Monday),
            a => EventTransition.Accept(a with { State = ApplicationState.UnderReview }),
            async (_, _, _) =>
            {
                calls.AddOrUpdate($"e{i}", 1, (_, n) => n + 1);
                await work();
            });

        // The first handler holds the store's writer, so the next nine queue up and go into one transaction together.
        var first = Apply(0, async () =>
        {
            firstRunning.TrySetResult();
            await releaseFirst.Task;
        });
        await firstRunning.Task.WaitAsync(Timeout);
        var queued = Enumerable.Range(1, 9)
            .Select(i => Apply(i, () => i == 5 ? throw new InvalidOperationException("down") : Task.CompletedTask))
            .ToList();
        releaseFirst.SetResult();
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => queued[4]).WaitAsync(Timeout);
        var applied = await Task.WhenAll(queued.Where((_, n) => n != 4).Prepend(first)).WaitAsync(Timeout);
        var stateOfFailed = (await _store.GetAsync("bank-a", "app-5").WaitAsync(Timeout))!.State;
        var retried = await Apply(5, () => Task.CompletedTask).WaitAsync(Timeout);

        Assert.Equal("down", failed.Message);
        Assert.All(applied, r => Assert.Equal(ApplyEventOutcome.Applied, r.Outcome));
        Assert.Equal(ApplicationState.Submitted, stateOfFailed);
        Assert.Equal(ApplyEventOutcome.Applied, retried.Outcome);
        Assert.Equal(2, calls["e5"]);
        Assert.All(calls.Where(c => c.Key != "e5"), c => Assert.Equal(1, c.Value));
        foreach (var i in Enumerable.Range(0, 10))
        {
            Assert.Equal(ApplicationState.UnderReview, (await _store.GetAsync("bank-a", $"app-{i}").WaitAsync(Timeout))!.State);
        }
    }

    private static Application Application(string id, long minor) => new()
    {
        ApplicationId = id,
        EnterpriseCreditCode = "91310110666007217T",
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = new Money { UnitsMinor = minor, CurrencyCode = "CNY" },
        State = ApplicationState.Submitted,
    };
}
