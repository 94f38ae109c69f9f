using System.Diagnostics;
using System.Text;

namespace ConnectorKit.Packaging.Tests.Infrastructure;

/// <summary>The outcome of a finished command, with everything it printed for the failure message.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe() => $"`{Command}` exited {ExitCode}.\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>Runs a program to its end within a time limit, killing it (and its children) when the limit passes.</summary>
internal static class CommandLine
{
    /// <summary>The dotnet host running these tests, so the child commands use the same SDK and runtime.</summary>
    public static string Dotnet { get; } = FindDotnet();

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A child dotnet must not leave a build server running behind the test.
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Dotnet)!;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var command = string.Join(' ', [fileName, .. startInfo.ArgumentList]);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start " + command);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{command}` did not finish within {timeout}.\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        }

        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        return new CommandResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static string FindDotnet()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"))
            .First(File.Exists);
    }
}
