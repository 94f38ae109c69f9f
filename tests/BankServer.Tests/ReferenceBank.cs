using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>The reference bank as its own process on a port Kestrel picks, with its automatic underwriter, on a fresh data directory.</summary>
internal sealed partial class ReferenceBank : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory;

    private ReferenceBank(Process process, Uri address, string dataDirectory)
    {
        Process = process;
        Address = address;
        _dataDirectory = dataDirectory;
    }

    public Process Process { get; }

    public Uri Address { get; }

    /// <summary>Starts the bank delivering callbacks to <paramref name="platform"/>; <paramref name="extra"/> are further <c>--key=value</c> settings.</summary>
    public static async Task<ReferenceBank> StartAsync(string bankId, Uri platform, params string[] extra)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ck-refbank-").FullName;
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BankServer.dll"),
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--ConnectorKit:Server:BankId=" + bankId,
            "--ConnectorKit:Server:DataDirectory=" + dataDirectory,
            "--ConnectorKit:Server:Platform:Address=" + platform,
            "--ConnectorKit:Server:Platform:PollInterval=00:00:00.050",
            "--Underwriting:PollInterval=00:00:00.050",
            "--Underwriting:TrancheInterval=00:00:00.050",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        }.Concat(extra))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The bank exited: " + await process.StandardError.ReadToEndAsync());
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep draining the output so the bank never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                return new ReferenceBank(process, new Uri(match.Groups[1].Value), dataDirectory);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
