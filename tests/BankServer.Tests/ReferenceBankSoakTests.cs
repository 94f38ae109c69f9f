using System.Diagnostics;
using System.Globalization;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>
/// Mixed traffic at a steady rate against the reference bank process — profiles, quotes, submits, and the callbacks
/// its underwriter sends — with its resident memory and open handles sampled from /proc. Bounded to 20 s in the test
/// command; <c>CONNECTORKIT_SOAK_SECONDS</c> and <c>CONNECTORKIT_SOAK_RATE</c> make it a longer or heavier soak.
/// </summary>
public sealed class ReferenceBankSoakTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task MixedTraffic_SteadyRate_NoErrorsAndNoGrowthInMemoryOrHandles()
    {
        var duration = TimeSpan.FromSeconds(Setting("CONNECTORKIT_SOAK_SECONDS", 20));
        var rate = Setting("CONNECTORKIT_SOAK_RATE", 10);
        await using var platform = await RecordingPlatform.StartAsync().WaitAsync(Timeout);
        await using var bank = await ReferenceBankProcess.StartAsync(SampleData.BankId, platform.Address).WaitAsync(Timeout);
        using var channel = GrpcChannel.ForAddress(bank.Address);
        var creditData = new CreditDataService.CreditDataServiceClient(channel);
        var applications = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        var samples = new List<(TimeSpan At, long RssKb, int Handles)>();
        var submitted = new List<string>();
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        var tick = TimeSpan.FromSeconds(1.0 / rate);
        var nextSample = TimeSpan.Zero;
        var inFlight = new List<Task>();

        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var code = SampleData.CreditCode(100_000 + i);
            inFlight.Add(OneEnterpriseAsync(creditData, applications, code, submitted, errors));
            if (clock.Elapsed >= nextSample)
            {
                samples.Add((clock.Elapsed, ResidentKb(bank.Process), OpenHandles(bank.Process)));
                nextSample += TimeSpan.FromSeconds(1);
            }

            var due = tick * (i + 1);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }

        await Task.WhenAll(inFlight).WaitAsync(Timeout);
        var expectedCallbacks = submitted.Count * 3;
        await WaitUntilAsync(() => platform.Received.Count >= expectedCallbacks, TimeSpan.FromSeconds(90));

        var third = samples.Count / 3;
        var middle = samples.Skip(third).Take(third).ToList();
        var last = samples.Skip(2 * third).ToList();
        var middleRss = Median(middle.Select(s => s.RssKb));
        var lastRss = Median(last.Select(s => s.RssKb));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak: {duration.TotalSeconds:0} s at {rate} enterprises/s, {submitted.Count} applications, {platform.Received.Count} callbacks, {errors.Count} errors; RSS median {middleRss / 1024.0:0.0} MiB (middle third) → {lastRss / 1024.0:0.0} MiB (last third), handles {middle.Max(s => s.Handles)} → {last.Max(s => s.Handles)}"));
        Assert.Empty(errors);
        Assert.Equal(expectedCallbacks, platform.Received.Count);
        Assert.True(lastRss <= middleRss * 1.25 + 16 * 1024, $"Resident memory grew from {middleRss} KiB to {lastRss} KiB between the middle and last thirds of the run.");

        // Pools (SQLite connections, sockets) grow and shrink with bursts on a busy machine; a leak of one handle per
        // call would add hundreds here (three calls per enterprise), far beyond this margin.
        Assert.True(last.Max(s => s.Handles) <= (middle.Max(s => s.Handles) * 1.25) + 16, $"Open handles grew from {middle.Max(s => s.Handles)} to {last.Max(s => s.Handles)}.");
    }

    /// <summary>One enterprise's visit: its profile, a quote, an application; the underwriter approves and pays two tranches.</summary>
    private static async Task OneEnterpriseAsync(CreditDataService.CreditDataServiceClient creditData, LoanApplicationsService.LoanApplicationsServiceClient applications, string code, List<string> submitted, List<string> errors)
    {
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            await creditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Good, score: 760) }, deadline: deadline).ResponseAsync;
            await applications.QuoteFinancingAsync(new QuoteFinancingRequest { EnterpriseCreditCode = code, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = SampleData.Yuan(1_000_000), TermMonths = 24, AnnualRevenue = SampleData.Yuan(15_000_000) }, deadline: deadline).ResponseAsync;
            var application = await applications.SubmitApplicationAsync(SampleData.Submit(code, amountYuan: 1_000_000), deadline: deadline).ResponseAsync;
            lock (submitted)
            {
                submitted.Add(application.Application.ApplicationId);
            }
        }
        catch (RpcException ex)
        {
            lock (errors)
            {
                errors.Add($"{ex.StatusCode}: {ex.Status.Detail}");
            }
        }
    }

    private static long ResidentKb(Process process)
        => long.Parse(File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static int OpenHandles(Process process) => Directory.GetFileSystemEntries($"/proc/{process.Id}/fd").Length;

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}
