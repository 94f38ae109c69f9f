using System.Text;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Bench.ConnectorOverhead;

/// <summary>One contract operation: the connector path, and the bank request it makes (null when it makes none).</summary>
internal sealed class Operation(string name, string? bankRequest, Func<Task> connector)
{
    public string Name => name;

    public string? BankRequest => bankRequest;

    public Func<Task> Connector => connector;

    public Func<Task>? Direct { get; set; }

    public int BankRequestsPerCall { get; set; }

    public Run ConnectorRun { get; } = new();

    public Run DirectRun { get; } = new();
}

/// <summary>The measured calls of one path: latencies and the CPU both processes spent on them.</summary>
internal sealed class Run
{
    private static readonly double MicrosPerTick = 1_000_000.0 / ClockTicks.PerSecond;

    public List<double> Samples { get; } = [];

    public long DriverTicks { get; set; }

    public long WireMockTicks { get; set; }

    public long BankRequests { get; set; }

    public double DriverMicrosPerCall => Samples.Count == 0 ? 0 : DriverTicks * MicrosPerTick / Samples.Count;

    public double WireMockMicrosPerCall => Samples.Count == 0 ? 0 : WireMockTicks * MicrosPerTick / Samples.Count;

    /// <summary>Nearest-rank percentile, in milliseconds.</summary>
    public double Percentile(int p)
    {
        if (Samples.Count == 0)
        {
            return 0;
        }

        var sorted = Samples.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

internal static class Check
{
    /// <summary>A wrong answer ends the benchmark: a figure for calls that failed would mean nothing.</summary>
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Wrong answer: " + what);
        }
    }
}

/// <summary>Sends a captured bank request again, as the connector sent it.</summary>
internal static class Replay
{
    public static Func<Task> Of(HttpClient http, WireMockRequest captured, string bearer, bool freshExternalId)
    {
        var method = new HttpMethod(captured.Method);
        var url = captured.Url.TrimStart('/');
        var key = captured.Headers.TryGetValue("Idempotency-Key", out var k) ? k : null;
        var contentType = captured.Headers.TryGetValue("Content-Type", out var ct) ? ct : "application/json; charset=utf-8";
        var body = captured.Body;
        var expected = captured.Url.Contains("quotes", StringComparison.Ordinal) ? "annual_rate_bp"
            : captured.Url.Contains("credit-profiles", StringComparison.Ordinal) ? "applied"
            : "external_id";
        return async () =>
        {
            var sendBody = body;
            var sendKey = key;
            if (freshExternalId && key is not null)
            {
                // A submit's key is its external id (the gateway's application id): a new one per call, as the gateway makes.
                var fresh = "APP-" + Guid.NewGuid().ToString("N")[..Math.Max(1, Math.Min(32, key.Length - 4))];
                sendBody = body.Replace(key, fresh, StringComparison.Ordinal);
                sendKey = fresh;
            }

            using var request = new HttpRequestMessage(method, url) { Content = new StringContent(sendBody, Encoding.UTF8) };
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            if (sendKey is not null)
            {
                request.Headers.Add("Idempotency-Key", sendKey);
            }

            using var response = await http.SendAsync(request).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            Check.That(response.IsSuccessStatusCode && text.Contains(expected, StringComparison.Ordinal), $"direct {captured.Method} {captured.Url}: HTTP {(int)response.StatusCode} {text}");
        };
    }
}

internal static class ClockTicks
{
    // Linux's USER_HZ, the unit of /proc/PID/stat and /proc/stat; 100 on every mainstream distribution.
    public const int PerSecond = 100;
}

internal static class JvmProcess
{
    /// <summary>The process whose command line has <c>--port N</c>: the WireMock JVM this benchmark started.</summary>
    public static int FindListening(int port)
    {
        var needle = "--port\0" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\0";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(needle, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Someone else's process.
            }
        }

        throw new InvalidOperationException($"No process with --port {port} found: cannot account WireMock's CPU.");
    }

    /// <summary>User + system CPU of a process so far, in clock ticks.</summary>
    public static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>How much of the machine's CPU processes other than ours used between construction and the reading.</summary>
internal sealed class NoiseMeter
{
    private readonly int[] _ours;
    private readonly long _busy0;
    private readonly long _total0;
    private readonly long _ours0;

    public NoiseMeter(int[] ours)
    {
        _ours = ours;
        (_busy0, _total0) = Machine();
        _ours0 = ours.Sum(JvmProcess.CpuTicks);
    }

    /// <summary>Other processes' busy time, as a percentage of all cores' time.</summary>
    public double OtherPercent()
    {
        var (busy, total) = Machine();
        var ours = _ours.Sum(JvmProcess.CpuTicks) - _ours0;
        var other = busy - _busy0 - ours;
        return total == _total0 ? 0 : Math.Max(0, 100.0 * other / (total - _total0));
    }

    private static (long Busy, long Total) Machine()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var idle = v[3] + v[4];
        var total = v.Take(8).Sum();
        return (total - idle, total);
    }
}
