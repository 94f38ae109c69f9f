using ConnectorKit.Client;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Reliability.Tests;

/// <summary>
/// A bulk push into the reference bank process, which is killed with SIGKILL in the middle of a chunk's stream and
/// started again on the same database. Chunks of 1000 profiles; the bank commits every 500, so the interrupted chunk may
/// be half stored when it dies.
/// </summary>
public sealed class BulkPushCrashTests
{
    private const int Profiles = 5000;
    private const int ChunkSize = 1000;
    private const int KillAtSent = 2700;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PushCreditProfiles_BankKilledMidStreamThenRestarted_RetryResendsOnlyTheUnacknowledgedChunk()
    {
        using var scratch = new Scratch();
        var ports = BankPorts.Allocate(scratch.Sub("bank"));
        var bank = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        Task<BankProcess>? restart = null;
        var atKill = default(BulkPushProgress);
        var storedAtKill = new HashSet<string>();
        var exitCode = 0;
        using var services = ClientFor(ports, retries: 30);
        var client = services.GetRequiredService<IConnectorKitClientFactory>().For(BankProcess.BankId);
        var progress = new KillingProgress(KillAtSent, last =>
        {
            atKill = last;
            exitCode = bank.Kill();
            storedAtKill = BankDatabase.ProfileCreditCodes(ports.DataDirectory);
            restart = Task.Run(() => BankProcess.StartAsync(ports));
        });

        var result = await client.PushCreditProfilesAsync(Generate(0), progress).WaitAsync(Timeout);
        await bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        await using var restarted = await restart!.WaitAsync(Timeout);
        await restarted.KillAsync().WaitAsync(Timeout);

        Assert.Equal(BankProcess.SigKillExitCode, exitCode);
        Assert.Equal(2 * ChunkSize, atKill.Acknowledged);
        Assert.Superset(Codes(0, (int)atKill.Acknowledged), storedAtKill);
        Assert.Equal(Profiles, result.Applied + result.AppliedByEarlierAttempt);
        Assert.Equal(0, result.Stale);
        Assert.Equal(0, result.Rejected);
        // Only the interrupted chunk went out again, from its first profile: what it had stored comes back as already applied.
        Assert.Equal(storedAtKill.Count - atKill.Acknowledged, result.AppliedByEarlierAttempt);
        Assert.Equal(Profiles / ChunkSize, result.Chunks);
        Assert.True(result.Attempts > result.Chunks, "the interrupted chunk needed another attempt");
        Assert.Equal(new BulkPushProgress(Profiles, Profiles), progress.Last);
        Assert.Equal(Codes(0, Profiles), BankDatabase.ProfileCreditCodes(ports.DataDirectory));
    }

    [Fact]
    public async Task PushCreditProfiles_PushFailedOnBankCrash_ResumingFromLastAcknowledgedStoresEveryProfileOnce()
    {
        using var scratch = new Scratch();
        var ports = BankPorts.Allocate(scratch.Sub("bank"));
        var bank = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        var storedAtKill = new HashSet<string>();
        var exitCode = 0;
        using var services = ClientFor(ports, retries: 0);
        var client = services.GetRequiredService<IConnectorKitClientFactory>().For(BankProcess.BankId);
        var progress = new KillingProgress(KillAtSent, _ =>
        {
            exitCode = bank.Kill();
            storedAtKill = BankDatabase.ProfileCreditCodes(ports.DataDirectory);
        });

        var failure = await Assert.ThrowsAsync<RpcException>(() => client.PushCreditProfilesAsync(Generate(0), progress)).WaitAsync(Timeout);
        var acknowledged = progress.Last.Acknowledged;
        await bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        await using var restarted = await BankProcess.StartAsync(ports).WaitAsync(Timeout);
        var resumed = await client.PushCreditProfilesAsync(Generate((int)acknowledged)).WaitAsync(Timeout);
        await restarted.KillAsync().WaitAsync(Timeout);

        Assert.Equal(BankProcess.SigKillExitCode, exitCode);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal(2 * ChunkSize, acknowledged);
        Assert.Superset(Codes(0, (int)acknowledged), storedAtKill);
        Assert.Equal(Profiles - acknowledged, resumed.Applied + resumed.Stale);
        // The resumed push finds applied exactly what the bank had stored beyond the acknowledgement when it died.
        Assert.Equal(storedAtKill.Count - acknowledged, resumed.Stale);
        Assert.Equal(0, resumed.Rejected);
        Assert.Equal(Codes(0, Profiles), BankDatabase.ProfileCreditCodes(ports.DataDirectory));
    }

    private static ServiceProvider ClientFor(BankPorts ports, int retries)
    {
        var services = new ServiceCollection();
        services.AddConnectorKitClient(options => options.Banks[BankProcess.BankId] = new BankConnectionOptions
        {
            Address = new Uri($"http://127.0.0.1:{ports.Grpc}"),
            BearerToken = BankProcess.PlatformToken,
            BulkChunkSize = ChunkSize,
            MethodDeadlines = { ["StreamCreditProfiles"] = TimeSpan.FromSeconds(60) },
            Resilience = new BankResilienceOptions
            {
                MaxRetryAttempts = retries,
                BaseDelay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(1),
                // The restart takes a few failed attempts; the breaker is not what this test is about.
                BreakerMinimumThroughput = 1000,
            },
        });
        return services.BuildServiceProvider();
    }

    private static HashSet<string> Codes(int from, int to) => [.. Enumerable.Range(from, to - from).Select(SampleData.CreditCode)];

    private static async IAsyncEnumerable<CreditProfile> Generate(int from)
    {
        for (var i = from; i < Profiles; i++)
        {
            var code = SampleData.CreditCode(i);
            yield return SampleData.Profile(code, version: 1, consent: SampleData.Consent(code, ConsentScope.CreditProfile, bankId: BankProcess.BankId));
        }

        await Task.CompletedTask;
    }

    /// <summary>Runs <c>kill</c> once, synchronously inside the push, when <c>killAtSent</c> profiles have been written.</summary>
    private sealed class KillingProgress(long killAtSent, Action<BulkPushProgress> kill) : IProgress<BulkPushProgress>
    {
        private bool _killed;

        public BulkPushProgress Last { get; private set; }

        public void Report(BulkPushProgress value)
        {
            Last = value;
            if (!_killed && value.Sent >= killAtSent)
            {
                _killed = true;
                kill(value);
            }
        }
    }
}
