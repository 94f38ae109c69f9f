using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>
/// The connector gateway executable (src/ConnectorKit.Gateway) as a child process on fixed ports and a data directory
/// that outlive it, configured entirely from the command line, so a test can SIGKILL it and start it again.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    public const string BankId = "gateway-bank";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private GatewayProcess(Process process) => _process = process;

    public static async Task<GatewayProcess> StartAsync(GatewayPorts ports, IReadOnlyDictionary<string, string?> connectorSettings)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ports.DataDirectory)!,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConnectorKit.Gateway.dll"));
        var settings = new Dictionary<string, string?>(connectorSettings)
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{ports.Grpc}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Bank:Url"] = $"http://127.0.0.1:{ports.BankFacing}",
            ["Kestrel:Endpoints:Bank:Protocols"] = "Http1",
            ["ConnectorKit:Gateway:Connector"] = "rest-json",
            ["ConnectorKit:Server:BankId"] = BankId,
            ["ConnectorKit:Server:DataDirectory"] = ports.DataDirectory,
            ["ConnectorKit:Server:Platform:Address"] = $"http://127.0.0.1:{ports.Platform}",
            ["ConnectorKit:Server:Platform:BearerToken"] = BankProcess.CallbackToken,
            ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.100",
            ["ConnectorKit:Server:Platform:MaxRetryDelay"] = "00:00:00.500",
            // Leases of a killed dispatcher expire after three attempt time-outs: 6 s instead of 30 s.
            ["ConnectorKit:Server:Platform:AttemptTimeout"] = "00:00:02",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(startInfo)!;
        var listening = 0;
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (listening < 2)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The gateway exited: " + await process.StandardError.ReadToEndAsync());
            if (ListeningLine().IsMatch(line))
            {
                listening++;
            }
        }

        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new GatewayProcess(process);
    }

    /// <summary>SIGKILL (what Process.Kill sends on Unix); returns the exit status, 137 for that signal.</summary>
    public async Task<int> KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
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

/// <summary>The ports and data a restarted gateway must reuse.</summary>
public sealed record GatewayPorts(int Grpc, int BankFacing, int Platform, string DataDirectory)
{
    public static GatewayPorts Allocate(string dataDirectory)
    {
        var bank = BankPorts.Allocate(dataDirectory);
        return new GatewayPorts(bank.Grpc, bank.Driver, bank.Platform, dataDirectory);
    }

    public Uri GrpcAddress => new($"http://127.0.0.1:{Grpc}");

    public Uri BankFacingAddress => new($"http://127.0.0.1:{BankFacing}/");
}
