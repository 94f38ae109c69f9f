using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Outbox;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Storage;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>
/// The bank: ConnectorKit.Server's store (SQLite, synchronous=FULL), state machine and outbox dispatcher, with the
/// dispatcher started by hand so that the saturation phase can first build a backlog. Drives both phases and writes
/// one JSON result.
/// </summary>
/// <remarks>
/// Options: --apps (applications of the saturation phase), --events-per-app (1 approval + tranches, default 5),
/// --rate and --seconds (the paced phase), --warmup-apps (applications of the warm-up, default 1000; 0 for none), --workers (concurrent state-machine callers, default 8), --drain-timeout
/// (seconds), --label.
/// </remarks>
internal static class BankSide
{
    private const string Account = "6222020200112233445";

    public static async Task<int> RunAsync(Args args)
    {
        var platformPort = args.Int("platform-port");
        var control = new Uri($"http://127.0.0.1:{args.Int("platform-control-port")}/");
        var data = args.String("data");
        var output = args.String("out");
        var apps = args.Int("apps");
        var perApp = args.Int("events-per-app", 5);
        var rate = args.Int("rate");
        var seconds = args.Int("seconds");
        var workers = args.Int("workers", 8);
        var drainTimeout = TimeSpan.FromSeconds(args.Int("drain-timeout", 600));
        var pacedApps = Math.Max(1, rate * seconds / perApp);
        var warmupApps = args.Int("warmup-apps", 1000);
        if (apps < 100 * workers || pacedApps < 100 * workers || (warmupApps > 0 && warmupApps < 100 * workers))
        {
            // Events are queued level by level (every application's approval, then every first tranche, ...), so an
            // application's next event is far behind its previous one in the queue of work.
            throw new ArgumentException("Use at least 100 applications per worker in each phase.");
        }

        using var deliveries = new DeliveryRecorder();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddConnectorKitServer(options =>
        {
            options.BankId = PlatformSide.BankId;
            options.DataDirectory = data;
            options.Platform.Address = new Uri($"http://127.0.0.1:{platformPort}");
            options.Platform.BearerToken = PlatformSide.Token;
            options.RunOutboxDispatcher = false;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IConnectorKitStore>();
        var decisions = host.Services.GetRequiredService<ILoanDecisions>();
        var dispatcher = host.Services.GetRequiredService<OutboxDispatcher>();
        using var http = new HttpClient { BaseAddress = control, Timeout = TimeSpan.FromMinutes(10) };

        // Numbers 0.. are the saturation phase's applications, then the paced phase's, then the warm-up's.
        var seeded = apps + pacedApps + warmupApps;
        Log($"seeding {seeded} applications on both sides");
        var seedWatch = Stopwatch.StartNew();
        await Task.WhenAll(
            SeedBankAsync(store, seeded),
            PostAsync(http, $"seed?from=0&count={seeded}"));
        var seedSeconds = seedWatch.Elapsed.TotalSeconds;
        Log($"seeded in {seedSeconds:F1} s");

        // Warm-up: the whole path, both processes, with a dispatcher of its own (the measured one starts later), so that
        // the JIT has compiled the delivery code before anything is timed.
        var warmupEvents = warmupApps * perApp;
        if (warmupEvents > 0)
        {
            var warmup = ActivatorUtilities.CreateInstance<OutboxDispatcher>(host.Services);
            await warmup.StartAsync(CancellationToken.None);
            await RunWorkersAsync(workers, warmupEvents, i => EnqueueAsync(decisions, apps + pacedApps + i % warmupApps, i / warmupApps, perApp));
            var warmedUp = await deliveries.WaitForAsync(warmupEvents, drainTimeout);
            await warmup.StopAsync(CancellationToken.None);
            Log($"warm-up: {deliveries.Count} of {warmupEvents} events delivered");
            if (!warmedUp)
            {
                throw new InvalidOperationException("The warm-up did not deliver every event in time.");
            }
        }

        // Phase 1: a backlog of apps × perApp events, written through the state machine, then drained.
        var total = apps * perApp;
        var beforeSaturation = await StatsAsync(http);
        var enqueue = Measure.Start(beforeSaturation);
        await RunWorkersAsync(workers, total, i => EnqueueAsync(decisions, i % apps, i / apps, perApp));
        var enqueued = enqueue.Stop(await StatsAsync(http));
        var pending = (await store.GetOutboxStatsAsync()).Pending;
        Log($"enqueued {total} events in {enqueued.Seconds:F1} s ({total / enqueued.Seconds:F0}/s); outbox holds {pending}");

        deliveries.Reset();
        var drain = Measure.Start(await StatsAsync(http));
        await dispatcher.StartAsync(CancellationToken.None);
        var drainedAll = await deliveries.WaitForAsync(total, drainTimeout);
        var drained = drain.Stop(await StatsAsync(http));
        var afterDrain = await store.GetOutboxStatsAsync();
        var saturationStats = await StatsAsync(http);
        Log($"drained {deliveries.Count} of {total} in {drained.Seconds:F1} s ({deliveries.Count / drained.Seconds:F0}/s)");

        // Phase 2: rate events/s offered for `seconds` on fresh applications, the dispatcher running.
        var pacedTotal = pacedApps * perApp;
        deliveries.Reset();
        var lags = new double[pacedTotal];
        var paced = Measure.Start(await StatsAsync(http));
        var pacedStart = Stopwatch.GetTimestamp();
        var work = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleWriter = true });
        var pacer = Task.Run(async () =>
        {
            var i = 0;
            while (i < pacedTotal)
            {
                var due = Math.Min(pacedTotal, (int)(Stopwatch.GetElapsedTime(pacedStart).TotalSeconds * rate) + 1);
                while (i < due)
                {
                    work.Writer.TryWrite(i++);
                }

                await Task.Delay(1);
            }

            work.Writer.Complete();
        });
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await foreach (var i in work.Reader.ReadAllAsync())
            {
                lags[i] = (Stopwatch.GetElapsedTime(pacedStart).TotalSeconds - (double)i / rate) * 1000;
                await EnqueueAsync(decisions, apps + i % pacedApps, i / pacedApps, perApp);
            }
        }));
        await pacer;
        var offeredSeconds = Stopwatch.GetElapsedTime(pacedStart).TotalSeconds;
        var pacedDrainedAll = await deliveries.WaitForAsync(pacedTotal, TimeSpan.FromSeconds(120));
        var pacedMeasure = paced.Stop(await StatsAsync(http));
        var afterPaced = await store.GetOutboxStatsAsync();
        var finalStats = await StatsAsync(http);
        var latencies = deliveries.Latencies();
        Log($"paced: offered {pacedTotal} in {offeredSeconds:F1} s, delivered {deliveries.Count}; p99 {Percentile(latencies, 0.99):F1} ms");

        await dispatcher.StopAsync(CancellationToken.None);
        await host.StopAsync();

        var result = new BenchResult(
            args.String("label", "receiver"),
            new SaturationResult(
                total, enqueued.Seconds, enqueued.BankCpuMs, pending,
                Deliveries: drainedAll ? total : -1, drained.Seconds, drained.BankCpuMs, drained.PlatformCpuMs, drained.OtherBusyPercent,
                saturationStats.Handled - beforeSaturation.Handled, saturationStats.Repeated, saturationStats.OutOfOrder, afterDrain.Pending, afterDrain.DeadLetters),
            new PacedResult(
                rate, seconds, pacedTotal, offeredSeconds, Percentile(lags, 0.99),
                pacedDrainedAll, latencies.Length,
                Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies.Length == 0 ? double.NaN : latencies.Max(),
                pacedMeasure.BankCpuMs, pacedMeasure.PlatformCpuMs, pacedMeasure.OtherBusyPercent,
                finalStats.Handled - saturationStats.Handled, finalStats.Repeated, finalStats.OutOfOrder, afterPaced.Pending, afterPaced.DeadLetters),
            seedSeconds);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, BenchResult.Json));
        return 0;
    }

    private static async Task SeedBankAsync(IConnectorKitStore store, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                var application = Fixtures.Application(n);
                var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(application.RequestId));
                var response = new SubmitApplicationResponse { Application = application };
                await store.CreateApplicationAsync(new NewApplication(
                    application.ApplicationId, "default", application.RequestId, hash, application.EnterpriseCreditCode,
                    ApplicationState.Submitted, application.ToByteArray(), response.ToByteArray(), DateTimeOffset.UtcNow));
            }
        }));
    }

    /// <summary>Event <paramref name="step"/> of an application, through the state machine: 0 approves, later steps pay a tranche.</summary>
    private static Task EnqueueAsync(ILoanDecisions decisions, int app, int step, int perApp)
    {
        var id = Fixtures.ApplicationId(app);
        if (step == 0)
        {
            return decisions.ApproveAsync(id, new ApprovedTerms
            {
                Amount = new Money { UnitsMinor = Fixtures.RequestedFen, CurrencyCode = "CNY" },
                AnnualRateBp = 385,
                TermMonths = 36,
            });
        }

        return decisions.DisburseAsync(id, new Money { UnitsMinor = Fixtures.RequestedFen / Math.Max(1, perApp - 1), CurrencyCode = "CNY" }, Account);
    }

    private static Task RunWorkersAsync(int workers, int count, Func<int, Task> work)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await work(i);
            }
        }));
    }

    private static async Task PostAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(path, null);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<PlatformStats> StatsAsync(HttpClient http)
        => await http.GetFromJsonAsync<PlatformStats>("stats", BenchResult.Json) ?? throw new InvalidOperationException("No stats.");

    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var copy = sorted.ToArray();
        Array.Sort(copy);
        return copy[Math.Clamp((int)Math.Ceiling(p * copy.Length) - 1, 0, copy.Length - 1)];
    }

    private static void Log(string message) => Console.Error.WriteLine($"[bank {DateTime.UtcNow:HH:mm:ss}] {message}");

    /// <summary>Wall time, this process's CPU, the platform's CPU and other processes' share of cores 0 and 1 over one phase.</summary>
    private sealed class Measure
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private readonly double _bankCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        private readonly double _platformCpu;
        private readonly long _busyJiffies = CoreBusyJiffies();

        private Measure(double platformCpu) => _platformCpu = platformCpu;

        public static Measure Start(PlatformStats platform) => new(platform.CpuMs);

        public Phase Stop(PlatformStats platform)
        {
            var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            var bank = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - _bankCpu;
            var platformCpu = platform.CpuMs - _platformCpu;
            var busyMs = (CoreBusyJiffies() - _busyJiffies) * 1000.0 / 100; // USER_HZ is 100 on Linux
            var other = Math.Max(0, busyMs - bank - platformCpu) / (seconds * 1000 * 2) * 100;
            return new Phase(seconds, bank, platformCpu, other);
        }

        private static long CoreBusyJiffies()
        {
            long busy = 0;
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("cpu0 ", StringComparison.Ordinal) || line.StartsWith("cpu1 ", StringComparison.Ordinal))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    busy += f[0] + f[1] + f[2] + f[5] + f[6] + f[7]; // user nice system irq softirq steal
                }
            }

            return busy;
        }
    }

    private sealed record Phase(double Seconds, double BankCpuMs, double PlatformCpuMs, double OtherBusyPercent);

    /// <summary>
    /// Listens to the dispatcher's own "connectorkit.outbox.delivery.latency" histogram: one measurement per event the
    /// platform acknowledged and the bank then removed from the outbox, valued from the event's outbox creation time.
    /// </summary>
    private sealed class DeliveryRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly object _gate = new();
        private List<double> _latencies = [];

        public DeliveryRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ConnectorKitServerTelemetry.Name && instrument.Name == "connectorkit.outbox.delivery.latency")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
            {
                lock (_gate)
                {
                    _latencies.Add(value);
                }
            });
            _listener.Start();
        }

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _latencies.Count;
                }
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                _latencies = [];
            }
        }

        public double[] Latencies()
        {
            lock (_gate)
            {
                return [.. _latencies];
            }
        }

        public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (Count < count)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    return false;
                }

                await Task.Delay(10);
            }

            return true;
        }

        public void Dispose() => _listener.Dispose();
    }
}
