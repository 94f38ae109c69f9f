using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ConnectorKit.Gateway.Tests;

/// <summary>The gateway executable as an operator runs it: its own process, configured from the command line.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _errors;

    private GatewayProcess(Process process, StringBuilder errors, Uri grpc, Uri bank)
    {
        _process = process;
        _errors = errors;
        GrpcAddress = grpc;
        BankFacingAddress = bank;
    }

    public Uri GrpcAddress { get; }

    public Uri BankFacingAddress { get; }

    /// <summary>Starts the gateway with <paramref name="settings"/> as <c>--key=value</c> arguments, on ports Kestrel picks.</summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var process = Start(settings, out var errors);
        var addresses = new List<Uri>();
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (addresses.Count < 2)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                await process.WaitForExitAsync(timeout.Token);
                throw new InvalidOperationException($"The gateway exited with {process.ExitCode}: {errors}");
            }

            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                addresses.Add(new Uri(match.Groups[1].Value));
            }
        }

        _ = process.StandardOutput.ReadToEndAsync();

        // Kestrel binds configured endpoints in name order: Bank, then Grpc.
        return new GatewayProcess(process, errors, addresses[1], addresses[0]);
    }

    /// <summary>Runs the gateway until it exits by itself (a configuration it refuses); returns the exit code and stderr.</summary>
    public static async Task<(int ExitCode, string Errors)> RunToExitAsync(IReadOnlyDictionary<string, string?> settings)
    {
        using var process = Start(settings, out var errors);
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The gateway kept running with a configuration it should refuse.");
        }

        return (process.ExitCode, errors.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    public override string ToString() => _errors.ToString();

    private static Process Start(IReadOnlyDictionary<string, string?> settings, out StringBuilder errors)
    {
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConnectorKit.Gateway.dll"));
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(startInfo)!;
        var collected = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (collected)
            {
                collected.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        errors = collected;
        return process;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
