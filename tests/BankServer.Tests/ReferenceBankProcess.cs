using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>
/// The reference bank (examples/BankServer) as its own process, configured on the command line, on ports Kestrel
/// picks and a fresh data directory deleted at the end. Shared by the tests that need a real bank process.
/// </summary>
public sealed partial class ReferenceBankProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory;

    private ReferenceBankProcess(Process process, IReadOnlyList<Uri> addresses, string dataDirectory)
    {
        Process = process;
        Addresses = addresses;
        _dataDirectory = dataDirectory;
    }

    public Process Process { get; }

    /// <summary>The gRPC endpoint (h2c).</summary>
    public Uri Address => Addresses[0];

    /// <summary>Every endpoint, in the order Kestrel binds configured endpoints: by name (Grpc, then Sandbox …).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>
    /// Starts the bank as <paramref name="bankId"/> delivering callbacks to <paramref name="platform"/>, with short poll
    /// intervals and its automatic underwriter; <paramref name="extra"/> (<c>--key=value</c>) adds or overrides settings,
    /// e.g. a Sandbox endpoint, the sandbox driver or a PostgreSQL store.
    /// </summary>
    public static async Task<ReferenceBankProcess> StartAsync(string bankId, Uri platform, params string[] extra)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ck-refbank-").FullName;
        string[] arguments =
        [
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
            .. extra,
        ];
        var endpoints = arguments.Select(a => EndpointUrl().Match(a)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var addresses = new List<Uri>();
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (addresses.Count < endpoints)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The bank exited: " + await process.StandardError.ReadToEndAsync());
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                addresses.Add(new Uri(match.Groups[1].Value));
            }
        }

        // Keep draining the output so the bank never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new ReferenceBankProcess(process, addresses, dataDirectory);
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

    [GeneratedRegex(@"^--Kestrel:Endpoints:(\w+):Url=")]
    private static partial Regex EndpointUrl();
}
