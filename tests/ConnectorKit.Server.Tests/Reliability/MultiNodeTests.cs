using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using ConnectorKit.Server.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ConnectorKit.Server.Tests.Reliability;

/// <summary>
/// Two bank nodes (two hosts, each with its own store, pool and outbox dispatcher) on one PostgreSQL database, as a bank
/// runs them behind a load balancer. Each node reports to its own recording platform, so the recordings show which node
/// delivered what; neither platform deduplicates. CONNECTORKIT_MULTINODE_EVENTS raises the event count for a soak.
/// </summary>
public sealed class MultiNodeTests(PostgresStoreFixture stores, ITestOutputHelper output) : IClassFixture<PostgresStoreFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OutboxDispatchers_TwoNodesOneDatabase_DeliverEveryEventExactlyOnceAndShareTheWork()
    {
        // Four callbacks per application: the approval and three tranches.
        var events = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORKIT_MULTINODE_EVENTS"), out var soak) ? soak : 1000;
        var applications = events / 4;
        var connectionString = stores.CreateDatabase();
        await using var platformA = await RecordingPlatform.StartAsync().WaitAsync(Timeout);
        await using var platformB = await RecordingPlatform.StartAsync().WaitAsync(Timeout);
        var nodeA = await StartNodeAsync(connectionString, platformA.Address).WaitAsync(Timeout);
        var nodeB = await StartNodeAsync(connectionString, platformB.Address).WaitAsync(Timeout);
        var nodes = new[] { nodeA, nodeB };
        var ids = new string[applications];
        await Parallel.ForAsync(0, applications, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            // Each step on the other node than the one before, so both write events and both get nudged.
            using var channel = nodes[i % 2].CreateChannel();
            var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel)
                .SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(10_000 + i))).ResponseAsync.WaitAsync(Timeout, ct);
            var id = ids[i] = submitted.Application.ApplicationId;
            await nodes[(i + 1) % 2].Decisions.StartReviewAsync(id, cancellationToken: ct).WaitAsync(Timeout, ct);
            await nodes[i % 2].Decisions.ApproveAsync(id, Terms(3_000_000), ct).WaitAsync(Timeout, ct);
            for (var tranche = 0; tranche < 3; tranche++)
            {
                await nodes[(i + tranche + 1) % 2].Decisions.DisburseAsync(id, SampleData.Yuan(1_000_000), "6222020200112233445", cancellationToken: ct).WaitAsync(Timeout, ct);
            }
        });
        var store = nodeA.Services.GetRequiredService<IConnectorKitStore>();

        await EventuallyAsync(async () => (await store.GetOutboxStatsAsync()).Pending == 0, "the outbox is empty");
        // Stopping lets any delivery still in flight finish, so a late duplicate would be counted below.
        await nodeA.DisposeAsync();
        await nodeB.DisposeAsync();

        var deliveredA = EventIds(platformA);
        var deliveredB = EventIds(platformB);
        output.WriteLine($"{applications * 4} events: node A delivered {deliveredA.Count}, node B {deliveredB.Count}.");
        var all = deliveredA.Concat(deliveredB).ToList();
        Assert.Equal(applications * 4, all.Count);
        Assert.Equal(applications * 4, all.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(4, all.Count(e => e.ApplicationId == id)));
        Assert.NotEmpty(deliveredA);
        Assert.NotEmpty(deliveredB);
    }

    [Fact]
    public async Task SubmitApplication_TwentyConcurrentDuplicatesAcrossTwoNodes_OneApplicationAndEqualAnswers()
    {
        var connectionString = stores.CreateDatabase();
        await using var nodeA = await StartNodeAsync(connectionString, platform: null).WaitAsync(Timeout);
        await using var nodeB = await StartNodeAsync(connectionString, platform: null).WaitAsync(Timeout);
        using var channelA = nodeA.CreateChannel();
        using var channelB = nodeB.CreateChannel();
        var clients = new[] { new LoanApplicationsService.LoanApplicationsServiceClient(channelA), new LoanApplicationsService.LoanApplicationsServiceClient(channelB) };
        var request = SampleData.Submit(SampleData.CreditCode(20_001), requestId: "REQ-dup-" + Guid.NewGuid().ToString("N"));
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait(Timeout);
            return await clients[i % 2].SubmitApplicationAsync(request).ResponseAsync;
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(calls).WaitAsync(Timeout);
        var otherPayload = request.Clone();
        otherPayload.RequestedAmount = SampleData.Yuan(4_000_000);
        var conflictA = await Assert.ThrowsAsync<RpcException>(() => clients[0].SubmitApplicationAsync(otherPayload).ResponseAsync.WaitAsync(Timeout));
        var conflictB = await Assert.ThrowsAsync<RpcException>(() => clients[1].SubmitApplicationAsync(otherPayload).ResponseAsync.WaitAsync(Timeout));

        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.Equal(request.RequestId, answers[0].Application.RequestId);
        var stored = await nodeB.Services.GetRequiredService<IConnectorKitStore>().ListApplicationsAsync(ApplicationState.Submitted, 100).WaitAsync(Timeout);
        Assert.Equal([answers[0].Application.ApplicationId], stored.Select(a => a.ApplicationId));
        Assert.Equal(StatusCode.AlreadyExists, conflictA.StatusCode);
        Assert.Equal(StatusCode.AlreadyExists, conflictB.StatusCode);
        var unchanged = await clients[1].GetApplicationAsync(new GetApplicationRequest { ApplicationId = answers[0].Application.ApplicationId }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(request.RequestedAmount, unchanged.Application.RequestedAmount);
    }

    private static Task<BankServerHost> StartNodeAsync(string connectionString, Uri? platform) => BankServerHost.StartAsync(options =>
    {
        options.Store = StoreKind.PostgreSql;
        options.PostgresConnectionString = connectionString;
        options.Platform.Address = platform;

        // Small batches, so one node cannot lease every head in one round and leave the other idle.
        options.Platform.BatchSize = 8;
    });

    private static List<(string EventId, string ApplicationId)> EventIds(RecordingPlatform platform) =>
        platform.Received.Select(r => r.Message switch
        {
            NotifyApprovalDecisionRequest decision => (decision.Header.EventId, r.ApplicationId),
            NotifyDisbursementRequest disbursement => (disbursement.Header.EventId, r.ApplicationId),
            _ => throw new InvalidOperationException("Unexpected callback " + r.Kind),
        }).ToList();

    private static ApprovedTerms Terms(long yuan) => new() { Amount = SampleData.Yuan(yuan), AnnualRateBp = 385, TermMonths = 36 };

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition().WaitAsync(Timeout))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(50).WaitAsync(Timeout);
        }
    }
}
