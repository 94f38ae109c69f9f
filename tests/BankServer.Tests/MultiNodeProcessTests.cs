using System.Net.Http.Json;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;
using ConnectorKit.Server.Tests.Storage;
using Npgsql;
using Xunit.Abstractions;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>
/// Two reference-bank processes on one PostgreSQL database, decisions driven through their sandbox drivers, each process
/// reporting to its own recording platform (neither deduplicates), so the recordings show which process delivered what.
/// </summary>
public sealed class MultiNodeProcessTests(PostgresStoreFixture stores, ITestOutputHelper output) : IClassFixture<PostgresStoreFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string DriverToken = "sandbox-driver-token-0123456789";

    [Fact]
    public async Task TwoBankProcesses_OnePostgresDatabase_EachEventDeliveredOnceAndDuplicateSubmitsMakeOneApplication()
    {
        const int applications = 30;
        var connectionString = stores.CreateDatabase();
        await using var platformA = await RecordingPlatform.StartAsync().WaitAsync(Timeout);
        await using var platformB = await RecordingPlatform.StartAsync().WaitAsync(Timeout);

        // Started together, so both migrate the empty database at once.
        var starting = new[] { BankNode.StartAsync(connectionString, platformA.Address), BankNode.StartAsync(connectionString, platformB.Address) };
        await using var nodeA = await starting[0].WaitAsync(Timeout);
        await using var nodeB = await starting[1].WaitAsync(Timeout);
        var nodes = new[] { nodeA, nodeB };
        var ids = new string[applications];
        var duplicateSignals = 0;
        await Parallel.ForAsync(0, applications, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var submitted = await nodes[i % 2].Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(30_000 + i), amountYuan: 2_000_000)).ResponseAsync.WaitAsync(Timeout, ct);
            var id = ids[i] = submitted.Application.ApplicationId;
            var approve = new { amount_fen = 200_000_000L, annual_rate_bp = 385, term_months = 36 };
            await nodes[(i + 1) % 2].DriveAsync(id, "approve", approve).WaitAsync(Timeout, ct);

            // The bank's back office sends the same approval to the other node: a duplicate signal, no second event.
            if (await nodes[i % 2].DriveAsync(id, "approve", approve).WaitAsync(Timeout, ct))
            {
                Interlocked.Increment(ref duplicateSignals);
            }

            for (var tranche = 0; tranche < 2; tranche++)
            {
                await nodes[(i + tranche) % 2].DriveAsync(id, "disbursements", new { tranche_id = $"T{tranche}", amount_fen = 100_000_000L }).WaitAsync(Timeout, ct);
            }
        });
        var request = SampleData.Submit(SampleData.CreditCode(39_999), requestId: "REQ-dup-" + Guid.NewGuid().ToString("N"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => nodes[i % 2].Applications.SubmitApplicationAsync(request).ResponseAsync)).WaitAsync(Timeout);
        var otherPayload = request.Clone();
        otherPayload.TermMonths = 24;
        var conflicts = new List<StatusCode>();
        foreach (var node in nodes)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => node.Applications.SubmitApplicationAsync(otherPayload).ResponseAsync.WaitAsync(Timeout));
            conflicts.Add(error.StatusCode);
        }

        // An outbox row leaves the table only when delivered, and a leased row is not sent again until its lease expires
        // (far longer than this test), so once the outbox is empty no second copy of any event can still be on its way.
        await WaitUntilEmptyOutboxAsync(connectionString);

        var deliveredA = EventIds(platformA);
        var deliveredB = EventIds(platformB);
        output.WriteLine($"{applications * 3} events: process A delivered {deliveredA.Count}, process B {deliveredB.Count}.");
        var all = deliveredA.Concat(deliveredB).ToList();
        Assert.Equal(applications, duplicateSignals);
        Assert.Equal(applications * 3, all.Count);
        Assert.Equal(applications * 3, all.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(3, all.Count(e => e.ApplicationId == id)));
        Assert.NotEmpty(deliveredA);
        Assert.NotEmpty(deliveredB);
        Assert.All(answers, answer => Assert.Equal(answers[0], answer));
        Assert.Equal(1, await CountAsync(connectionString, "SELECT count(*) FROM applications WHERE request_id = @p", request.RequestId));
        Assert.Equal([StatusCode.AlreadyExists, StatusCode.AlreadyExists], conflicts);
    }

    private static List<(string EventId, string ApplicationId)> EventIds(RecordingPlatform platform) =>
        platform.Received.Select(r => r.Message switch
        {
            NotifyApprovalDecisionRequest decision => (decision.Header.EventId, r.ApplicationId),
            NotifyDisbursementRequest disbursement => (disbursement.Header.EventId, r.ApplicationId),
            _ => throw new InvalidOperationException("Unexpected callback " + r.Kind),
        }).ToList();

    private static async Task WaitUntilEmptyOutboxAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (await CountAsync(connectionString, "SELECT count(*) FROM outbox", null) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The outbox was not emptied in time.");
            }

            await Task.Delay(50).WaitAsync(Timeout);
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql, string? parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.AddWithValue("p", parameter);
        }

        return (long)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }

    /// <summary>One examples/BankServer process on PostgreSQL with its sandbox driver on, both on ports Kestrel picks.</summary>
    private sealed class BankNode : IAsyncDisposable
    {
        private readonly ReferenceBankProcess _process;
        private readonly GrpcChannel _channel;
        private readonly HttpClient _driver;

        private BankNode(ReferenceBankProcess process)
        {
            _process = process;
            _channel = GrpcChannel.ForAddress(process.Address);
            _driver = new HttpClient { BaseAddress = new Uri(process.Addresses[1], "sandbox/") };
            _driver.DefaultRequestHeaders.Authorization = new("Bearer", DriverToken);
            Applications = new LoanApplicationsService.LoanApplicationsServiceClient(_channel);
        }

        public LoanApplicationsService.LoanApplicationsServiceClient Applications { get; }

        public static async Task<BankNode> StartAsync(string connectionString, Uri platform) => new(await ReferenceBankProcess.StartAsync(
            SampleData.BankId,
            platform,
            "--Kestrel:Endpoints:Sandbox:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Sandbox:Protocols=Http1",
            "--ConnectorKit:Server:Store=PostgreSql",
            "--ConnectorKit:Server:PostgresConnectionString=" + connectionString,
            "--ConnectorKit:Server:Platform:BatchSize=8",
            "--Sandbox:Enabled=true",
            "--Sandbox:Token=" + DriverToken));

        /// <summary>Sends a sandbox command; true when the bank reports it a duplicate of one already applied.</summary>
        public async Task<bool> DriveAsync(string applicationId, string command, object body)
        {
            using var response = await _driver.PostAsJsonAsync($"applications/{applicationId}/{command}", body);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The sandbox answered {(int)response.StatusCode} to {command}: {text}");
            }

            return text.Contains("\"duplicate\":true", StringComparison.Ordinal);
        }

        public async ValueTask DisposeAsync()
        {
            _channel.Dispose();
            _driver.Dispose();
            await _process.DisposeAsync();
        }
    }
}
