using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ConnectorKit.Conformance.Tests.ServerMode;

/// <summary>
/// The reference bank (examples/BankServer) as its own process with the sandbox driver on: gRPC over h2c and the
/// driver over HTTP/1.1 on ports Kestrel picks, callbacks to <see cref="CallbackPort"/>, two platform tokens.
/// </summary>
public sealed partial class ReferenceBankProcess : IAsyncDisposable
{
    public const string BankId = "reference-bank";
    public const string Token = "platform-token-0123456789abcdef";
    public const string OtherToken = "other-platform-token-0123456789";
    public const string DriverToken = "sandbox-driver-token-0123456789";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _dataDirectory;

    private ReferenceBankProcess(Process process, string dataDirectory, Uri grpc, Uri driver, int callbackPort)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        GrpcAddress = grpc;
        DriverAddress = driver;
        CallbackPort = callbackPort;
    }

    public Uri GrpcAddress { get; }

    public Uri DriverAddress { get; }

    public int CallbackPort { get; }

    public static async Task<ReferenceBankProcess> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ck-refbank-").FullName;
        var callbackPort = FreePort();
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BankServer.dll"),
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Sandbox:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Sandbox:Protocols=Http1",
            "--ConnectorKit:Server:BankId=" + BankId,
            "--ConnectorKit:Server:DataDirectory=" + dataDirectory,
            $"--ConnectorKit:Server:Platform:Address=http://127.0.0.1:{callbackPort}",
            "--ConnectorKit:Server:Platform:PollInterval=00:00:00.050",
            "--ConnectorKit:Server:Platform:BaseRetryDelay=00:00:00.100",
            "--ConnectorKit:Server:Platform:MaxRetryDelay=00:00:01",
            $"--ConnectorKit:Server:Authentication:BearerTokens:{Token}=platform-a",
            $"--ConnectorKit:Server:Authentication:BearerTokens:{OtherToken}=platform-b",
            "--Sandbox:Enabled=true",
            "--Sandbox:Token=" + DriverToken,
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var addresses = new List<Uri>();
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (addresses.Count < 2)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The reference bank exited: " + await process.StandardError.ReadToEndAsync());
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                addresses.Add(new Uri(match.Groups[1].Value));
            }
        }

        // Keep draining the output so the bank never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();

        // Kestrel binds configured endpoints in name order: Grpc, then Sandbox.
        return new ReferenceBankProcess(process, dataDirectory, addresses[0], new Uri(addresses[1], "sandbox/"), callbackPort);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
