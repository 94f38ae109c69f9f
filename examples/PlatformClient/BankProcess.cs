using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConnectorKit.Examples.PlatformClient;

/// <summary>The reference bank (examples/BankServer) as a child process on a free loopback port.</summary>
public sealed partial class BankProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BankProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<BankProcess> StartAsync(string bankId, string dataDirectory, Uri platformAddress, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "BankServer.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The reference bank was not built next to the platform client.", dll);
        }

        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[]
        {
            dll,
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--ConnectorKit:Server:BankId=" + bankId,
            "--ConnectorKit:Server:DataDirectory=" + dataDirectory,
            "--ConnectorKit:Server:Platform:Address=" + platformAddress,
            "--ConnectorKit:Server:Platform:PollInterval=00:00:00.050",
            "--Underwriting:PollInterval=00:00:00.100",
            "--Underwriting:TrancheInterval=00:00:00.200",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Tokens go in the environment, not on the command line, where every user of the machine could read them.
        foreach (var (key, value) in secrets)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the reference bank.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The reference bank stopped while starting: " + await process.StandardError.ReadToEndAsync(cancellationToken));
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return new BankProcess(process, new Uri(match.Groups[1].Value));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
