using System.Diagnostics;
using ConnectorKit.Client.Tracking;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Webhooks;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ConnectorKit.Reliability.Tests;

/// <summary>
/// The connector gateway executable (rest-json connector, WireMock as the bank's API) is killed with SIGKILL while the
/// callbacks it turned from the bank's webhooks are pending and being delivered, then started again on the same database.
/// </summary>
public sealed class GatewayCrashTests(ITestOutputHelper output)
{
    private const int Applications = 150;
    private const int Tranches = 2;
    private const int EventsPerApplication = 1 + Tranches;
    private const int Workers = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task OutboxDelivery_GatewayKilledMidDeliveryAndRestarted_EveryEventTakesEffectOnceInSequence()
    {
        using var scratch = new Scratch();
        var clock = Stopwatch.StartNew();
        await using var wireMock = await WireMockServer.StartAsync().WaitAsync(Timeout);
        var kit = new RestJsonTestKit();
        await wireMock.LoadMappingsFromDirectoryAsync(kit.MappingsDirectory).WaitAsync(Timeout);
        var secret = WebhookSecret.Generate();
        var settings = new Dictionary<string, string?>(kit.Settings(wireMock.BaseAddress, scratch.Path)) { ["ConnectorKit:Connectors:rest-json:Webhook:Secrets:0"] = secret };
        var ports = GatewayPorts.Allocate(scratch.Sub("gateway"));
        var platformDirectory = scratch.Sub("platform");
        var expectedEvents = Applications * EventsPerApplication;
        var first = await GatewayProcess.StartAsync(ports, settings).WaitAsync(Timeout);
        await using (first)
        await using (var platformStore = SqlitePlatformStore.ForDataDirectory(platformDirectory))
        {
            // Nobody listens on the platform's port yet, so every event stays in the gateway's outbox.
            await platformStore.MigrateAsync().WaitAsync(Timeout);
            await CreateBacklogAsync(ports, new ApplicationTracker(platformStore), secret).WaitAsync(Timeout);
        }

        output.WriteLine($"{expectedEvents} events pending after {clock.Elapsed}");
        var pendingBeforeDelivery = BankDatabase.PendingEvents(ports.DataDirectory);
        // The platform opens only now, with the whole backlog pending; the sender restarts into it and starts delivering.
        await using var receiver = await PlatformReceiver.StartAsync(ports.Platform, platformDirectory, BankProcess.CallbackToken, GatewayProcess.BankId).WaitAsync(Timeout);

        var gateway = await GatewayProcess.StartAsync(ports, settings).WaitAsync(Timeout);
        await Poll.UntilAsync(() => receiver.Effects.Count() >= expectedEvents / 3, Timeout, () => $"only {receiver.Effects.Count()} of {expectedEvents} effects before the kill");
        var exitCode = await gateway.KillAsync().WaitAsync(Timeout);
        var effectsAtKill = receiver.Effects.Count();
        await gateway.DisposeAsync().AsTask().WaitAsync(Timeout);
        await using var restarted = await GatewayProcess.StartAsync(ports, settings).WaitAsync(Timeout);
        await Poll.UntilAsync(
            () => BankDatabase.PendingEvents(ports.DataDirectory) == 0,
            Timeout,
            () => $"{BankDatabase.PendingEvents(ports.DataDirectory)} events still pending, {receiver.Effects.Count()} effects");
        await restarted.KillAsync().WaitAsync(Timeout);
        output.WriteLine($"killed with {effectsAtKill} effects; all delivered after {clock.Elapsed}");

        Assert.Equal(BankProcess.SigKillExitCode, exitCode);
        Assert.Equal(expectedEvents, pendingBeforeDelivery);
        Assert.InRange(effectsAtKill, 1, expectedEvents - 1);
        DeliveryAssertions.EveryEventTookEffectOnceInSequence(ports.DataDirectory, receiver.Effects.All(), Applications, EventsPerApplication);
    }

    private static async Task CreateBacklogAsync(GatewayPorts ports, ApplicationTracker tracker, string secret)
    {
        using var channel = GrpcChannel.ForAddress(ports.GrpcAddress);
        var loans = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        using var bank = new RestJsonWebhooks(ports.BankFacingAddress, secret);
        using var cts = new CancellationTokenSource(Timeout);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < Applications)
            {
                var code = SampleData.CreditCode(n);
                var request = SampleData.Submit(code, requestId: $"REQ-{n:D6}", amountYuan: 1_000_000);
                request.Consent = SampleData.Consent(code, ConsentScope.LoanApplication, bankId: GatewayProcess.BankId);
                var submitted = await loans.SubmitApplicationAsync(request, new CallOptions(cancellationToken: cts.Token)).ResponseAsync;
                await tracker.RecordSubmittedAsync(GatewayProcess.BankId, submitted.Application, DateTimeOffset.UtcNow, cts.Token);
                var id = submitted.Application.ApplicationId;
                await bank.ApproveAsync(id, 100_000_000, cts.Token);
                for (var t = 0; t < Tranches; t++)
                {
                    // Tranche ids are unique at the bank (its API says so); the connector deduplicates payments on them.
                    await bank.PayAsync(id, $"TR-{n:D6}-{t}", 100_000_000 / Tranches, cts.Token);
                }
            }
        }));
    }
}
