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
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BankServer.dll"),
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports.Grpc}",
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
