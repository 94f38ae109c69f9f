using System.Diagnostics;
using System.Globalization;
using ConnectorKit.Bench.BulkPusher;
using ConnectorKit.Client;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

// bench/bulk-push/BulkPusher
//   push  --address URL --token T --bank-id ID --count N --bank-pid PID [--sample-every K] [--chunk C]
//   count --db PATH
// push prints one "SAMPLE" line per K acknowledged profiles and a "RESULT" line; count prints "STORED n".
// Every line is tab-separated so bench/bulk-push/run.sh can read it with awk.
var arguments = Arguments.Parse(args);
switch (arguments.Verb)
{
    case "push":
        return await Push(arguments);
    case "count":
        return Count(arguments.Get("db"));
    default:
        Console.Error.WriteLine("usage: BulkPusher push --address URL --token T --bank-id ID --count N --bank-pid PID [--sample-every K] [--chunk C] | count --db PATH");
        return 2;
}

static async Task<int> Push(Arguments arguments)
{
    var bankId = arguments.Get("bank-id");
    var count = int.Parse(arguments.Get("count"), CultureInfo.InvariantCulture);
    var bankPid = int.Parse(arguments.Get("bank-pid"), CultureInfo.InvariantCulture);
    var sampleEvery = int.Parse(arguments.Get("sample-every", "100000"), CultureInfo.InvariantCulture);
    var chunk = int.Parse(arguments.Get("chunk", "1000"), CultureInfo.InvariantCulture);

    var services = new ServiceCollection();
    services.AddConnectorKitClient(options => options.Banks[bankId] = new BankConnectionOptions
    {
        Address = new Uri(arguments.Get("address")),
        BearerToken = arguments.Get("token"),
        BulkChunkSize = chunk,
        MethodDeadlines = { ["StreamCreditProfiles"] = TimeSpan.FromSeconds(120) },
    });
    await using var provider = services.BuildServiceProvider();
    var client = provider.GetRequiredService<IConnectorKitClientFactory>().For(bankId);

    var sampler = new Sampler(bankPid, sampleEvery);
    sampler.Start();
    var result = await client.PushCreditProfilesAsync(Profiles(count, bankId), sampler);
    var elapsed = sampler.Elapsed;
    Console.WriteLine(string.Join('\t', "RESULT", result.Applied, result.Stale, result.Rejected, result.Attempts, result.Chunks, elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)));
    return result.Applied == count && result.Rejected == 0 ? 0 : 1;
}

static int Count(string db)
{
    using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = "SELECT COUNT(*) FROM profiles";
    Console.WriteLine("STORED\t" + Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    return 0;
}

// Generated as the push reads them, so the pusher holds one chunk, never the whole set. Every enterprise has its own
// consent, as on a real platform (one authorisation per enterprise and bank).
static async IAsyncEnumerable<CreditProfile> Profiles(int count, string bankId)
{
    for (var i = 0; i < count; i++)
    {
        var code = SampleData.CreditCode(i);
        yield return SampleData.Profile(code, version: 1, consent: SampleData.Consent(code, ConsentScope.CreditProfile, consentId: "CONSENT-" + i.ToString("D10", CultureInfo.InvariantCulture), bankId: bankId));
    }

    await Task.CompletedTask;
}

namespace ConnectorKit.Bench.BulkPusher
{
    /// <summary>Reads the bank's VmRSS and CPU, and the pusher's own CPU, each time a multiple of <c>every</c> is acknowledged.</summary>
    internal sealed class Sampler(int bankPid, int every) : IProgress<BulkPushProgress>
    {
        private readonly Stopwatch _clock = new();
        private long _next = every;

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Start()
        {
            Emit(0);
            _clock.Start();
        }

        public void Report(BulkPushProgress value)
        {
            if (value.Acknowledged >= _next)
            {
                Emit(value.Acknowledged);
                while (_next <= value.Acknowledged)
                {
                    _next += every;
                }
            }
        }

        private void Emit(long acknowledged) => Console.WriteLine(string.Join(
            '\t',
            "SAMPLE",
            acknowledged,
            _clock.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture),
            ProcFs.RssKilobytes(bankPid),
            ProcFs.CpuTicks(bankPid),
            ProcFs.CpuTicks(Environment.ProcessId)));
    }

    internal static class ProcFs
    {
        public static long RssKilobytes(int pid)
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }

            throw new InvalidOperationException($"No VmRSS for process {pid}.");
        }

        /// <summary>utime + stime of every thread, in clock ticks (fields 14 and 15, after the parenthesised name).</summary>
        public static long CpuTicks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
    }

    internal sealed class Arguments
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public string Verb { get; private set; } = string.Empty;

        public static Arguments Parse(string[] args)
        {
            var parsed = new Arguments { Verb = args.Length > 0 ? args[0] : string.Empty };
            for (var i = 1; i + 1 < args.Length; i += 2)
            {
                parsed._values[args[i].TrimStart('-')] = args[i + 1];
            }

            return parsed;
        }

        public string Get(string name, string? fallback = null)
            => _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");
    }
}
