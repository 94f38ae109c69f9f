using System.Diagnostics;
using ConnectorKit.Client.Tracking;
using ConnectorKit.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ConnectorKit.Reliability.Tests;

/// <summary>
/// The reference bank is killed with SIGKILL while thousands of callbacks are pending and being delivered, then started
/// again on the same database. The platform is the real receiver; its handler logs every effect durably.
/// Volume: 10,000 events, as the reliability guarantee states (about 25 s on a quiet 2-core machine);
/// <c>CONNECTORKIT_RELIABILITY_EVENTS</c> sets another count.
/// </summary>
public sealed class BankCrashTests(ITestOutputHelper output)
{
    private const int TranchesPerApplication = 4;
    private const int EventsPerApplication = 1 + TranchesPerApplication;
    private static readonly int Events = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORKIT_RELIABILITY_EVENTS"), out var n) && n > 0 ? n : 10_000;

    // Creating and delivering run at roughly 100-150 events a second each on a busy two-core machine; the soak size gets
    // a proportionally longer bound.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(Math.Max(120, Events / 25));

    [Fact]
    public async Task OutboxDelivery_BankKilledMidDeliveryAndRestarted_EveryEventTakesEffectOnceInSequence()
    {
        using var scratch = new Scratch();
        var ports = BankPorts.Allocate(scratch.Sub("bank"));
        var applications = Math.Max(1, Events / EventsPerApplication);
        var expectedEvents = applications * EventsPerApplication;
        var platformDirectory = scratch.Sub("platform");
        var clock = Stopwatch.StartNew();
        var first = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        await using (first)
        await using (var platformStore = SqlitePlatformStore.ForDataDirectory(platformDirectory))
        {
            // Nobody listens on the platform's port yet, so every event stays in the outbox.
            await platformStore.MigrateAsync().WaitAsync(Timeout);
            using var cts = new CancellationTokenSource(Timeout);
            await EventBacklog.CreateAsync(first, new ApplicationTracker(platformStore), applications, TranchesPerApplication, cts.Token).WaitAsync(Timeout);
        }

        output.WriteLine($"{expectedEvents} events pending after {clock.Elapsed}");
        var pendingBeforeDelivery = BankDatabase.PendingEvents(ports.DataDirectory);
        // The platform opens only now, with the whole backlog pending; the sender restarts into it and starts delivering.
        await using var receiver = await PlatformReceiver.StartAsync(ports.Platform, platformDirectory, BankProcess.CallbackToken, BankProcess.BankId).WaitAsync(Timeout);

        var bank = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        await Poll.UntilAsync(() => receiver.Effects.Count() >= expectedEvents / 3, Timeout, () => $"only {receiver.Effects.Count()} of {expectedEvents} effects before the kill");
        var exitCode = await bank.KillAsync().WaitAsync(Timeout);
        var effectsAtKill = receiver.Effects.Count();
        output.WriteLine($"killed with {effectsAtKill} effects after {clock.Elapsed}");
        await bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        await using var restarted = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        await Poll.UntilAsync(
            () => BankDatabase.PendingEvents(ports.DataDirectory) == 0,
            Timeout,
            () => $"{BankDatabase.PendingEvents(ports.DataDirectory)} events still pending, {receiver.Effects.Count()} effects");
        await restarted.KillAsync().WaitAsync(Timeout);
        output.WriteLine($"all delivered after {clock.Elapsed}");

        Assert.Equal(BankProcess.SigKillExitCode, exitCode);
        Assert.Equal(expectedEvents, pendingBeforeDelivery);
        Assert.InRange(effectsAtKill, 1, expectedEvents - 1);
        DeliveryAssertions.EveryEventTookEffectOnceInSequence(ports.DataDirectory, receiver.Effects.All(), applications, EventsPerApplication);
    }
}
