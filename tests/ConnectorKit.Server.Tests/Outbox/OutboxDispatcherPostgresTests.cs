using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Outbox.Infrastructure;
using ConnectorKit.Server.Tests.Storage;
using static ConnectorKit.Server.Tests.Outbox.Infrastructure.OutboxTestKit;

namespace ConnectorKit.Server.Tests.Outbox;

/// <summary>Dispatchers on several nodes sharing one PostgreSQL database.</summary>
public sealed class OutboxDispatcherPostgresTests(PostgresStoreFixture stores, TestPlatformFixture platform)
    : IClassFixture<PostgresStoreFixture>, IClassFixture<TestPlatformFixture>
{
    private static readonly TimeSpan Timeout = OutboxTestKit.Timeout;

    [Fact]
    public async Task TwoDispatchers_OnePostgresDatabase_DeliverEachEventExactlyOnceInOrder()
    {
        var first = await stores.CreateStoreAsync().WaitAsync(Timeout);
        await using var firstStore = (IAsyncDisposable)first;
        var second = stores.OpenAgain(first);
        await using var secondStore = (IAsyncDisposable)second;
        var applications = new List<SeededApplication>();
        for (var i = 0; i < 20; i++)
        {
            applications.Add(await ApplicationWithEventsAsync(first, 3));
        }

        await using (var nodeA = await RunningDispatcher.StartAsync(first, Options(platform.Address, batchSize: 4)))
        await using (var nodeB = await RunningDispatcher.StartAsync(second, Options(platform.Address, batchSize: 4)))
        {
            await EventuallyAsync(() => OutboxIsEmptyAsync(first), "the outbox is empty");
        }

        var ours = applications.Select(a => a.ApplicationId).ToHashSet();
        var received = platform.Script.Received.Where(c => ours.Contains(c.ApplicationId)).ToList();
        Assert.Equal(60, received.Count);
        Assert.Equal(60, received.Select(c => c.EventId).Distinct().Count());
        foreach (var application in applications)
        {
            Assert.Equal([1L, 2L, 3L], AcknowledgedSequences(platform.Script, application.ApplicationId));
        }
    }
}
