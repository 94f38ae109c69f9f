using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>
/// The reference bank (examples/BankServer) as a child process with the sandbox driver on, bound to fixed ports and a
/// data directory that outlive it, so a test can kill it with SIGKILL and start it again on the same state.
/// </summary>
public sealed partial class BankProcess : IAsyncDisposable
{
    public const string BankId = "reference-bank";
    public const string PlatformToken = "platform-token-0123456789abcdef";
    public const string DriverToken = "sandbox-driver-token-0123456789";

    /// <summary>Token the bank presents to the platform's callback receiver.</summary>
    public const string CallbackToken = "bank-callback-token-0123456789ab";

    /// <summary>Exit status of a process ended by SIGKILL, as .NET reports it on Unix (128 + 9).</summary>
    public const int SigKillExitCode = 137;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private BankProcess(Process process, BankPorts ports)
    {
        _process = process;
        Ports = ports;
    }

    public BankPorts Ports { get; }

    public Uri GrpcAddress => new($"http://127.0.0.1:{Ports.Grpc}");

    public Uri DriverAddress => new($"http://127.0.0.1:{Ports.Driver}/sandbox/");

    public static async Task<BankProcess> StartAsync(BankPorts ports)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Not the test directory: the gateway's appsettings.json lands there too, and every setting is given below.
            WorkingDirectory = Path.GetDirectoryName(ports.DataDirectory)!,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BankServer.dll"),
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports.Grpc}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Kestrel:Endpoints:Sandbox:Url=http://127.0.0.1:{ports.Driver}",
            "--Kestrel:Endpoints:Sandbox:Protocols=Http1",
            "--ConnectorKit:Server:BankId=" + BankId,
            "--ConnectorKit:Server:DataDirectory=" + ports.DataDirectory,
            $"--ConnectorKit:Server:Platform:Address=http://127.0.0.1:{ports.Platform}",
            "--ConnectorKit:Server:Platform:BearerToken=" + CallbackToken,
            "--ConnectorKit:Server:Platform:PollInterval=00:00:00.050",
            // Messages a killed dispatcher had leased wait out their lease (three attempt time-outs) before the restarted
            // bank sends them again; 2 s instead of the default 10 s keeps that wait at 6 s.
            "--ConnectorKit:Server:Platform:AttemptTimeout=00:00:02",
            "--ConnectorKit:Server:Platform:BaseRetryDelay=00:00:00.100",
            "--ConnectorKit:Server:Platform:MaxRetryDelay=00:00:00.500",
            $"--ConnectorKit:Server:Authentication:BearerTokens:{PlatformToken}=platform-a",
            "--Sandbox:Enabled=true",
            "--Sandbox:Token=" + DriverToken,
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var listening = 0;
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (listening < 2)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The reference bank exited: " + await process.StandardError.ReadToEndAsync());
            if (ListeningLine().IsMatch(line))
            {
                listening++;
            }
        }

        // Keep draining the output so the bank never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new BankProcess(process, ports);
    }

    /// <summary>
    /// SIGKILL: Process.Kill sends it on Unix, so no shutdown code runs; the exit status (137) proves which signal ended it.
    /// </summary>
    public async Task<int> KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>As <see cref="KillAsync"/>, blocking: for a kill from inside a synchronous callback, at an exact point.</summary>
    public int Kill()
    {
        _process.Kill();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("The reference bank did not exit after SIGKILL.");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

/// <summary>What a restarted bank must reuse: its ports (the platform and clients keep addressing them) and its data.</summary>
public sealed record BankPorts(int Grpc, int Driver, int Platform, string DataDirectory)
{
    public static BankPorts Allocate(string dataDirectory) => new(FreePort(), FreePort(), FreePort(), dataDirectory);

    /// <summary>
    /// A free port below the kernel's ephemeral range. A port Kestrel picked (port 0) is an ephemeral one, and once its
    /// listener is gone any outgoing connection on the machine may take it as its source port, so a process restarting
    /// on it (or the receiver opening it late) would find it in use.
    /// </summary>
    private static int FreePort()
    {
        var range = File.Exists("/proc/sys/net/ipv4/ip_local_port_range") ? File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        var ephemeralFrom = range.Length > 0 && int.TryParse(range[0], out var low) ? low : 32768;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(10_000, Math.Max(10_001, ephemeralFrom));
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }

        throw new InvalidOperationException("No free port below the ephemeral range.");
    }
}
