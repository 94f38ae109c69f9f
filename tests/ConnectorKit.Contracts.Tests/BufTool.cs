using System.Diagnostics;
using System.Text;

namespace ConnectorKit.Contracts.Tests;

/// <summary>Runs the buf CLI that the test command installs into tools/node_modules, and git.</summary>
internal static class BufTool
{
    public static string Root { get; } = FindRoot();

    public static string BufPath => Path.Combine(Root, "tools", "node_modules", ".bin", "buf");

    public static Task<(int ExitCode, string Output)> BufAsync(string workingDirectory, params string[] arguments)
        => RunAsync(BufPath, workingDirectory, arguments);

    public static Task<(int ExitCode, string Output)> GitAsync(params string[] arguments)
        => RunAsync("git", Root, arguments);

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} timed out.");
        }

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        return (process.ExitCode, output);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "buf.yaml")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("buf.yaml not found above " + AppContext.BaseDirectory);
    }
}
