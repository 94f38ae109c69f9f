using System.Diagnostics;

namespace ConnectorKit.Cli.Tests;

/// <summary>Debian's Chromium, headless: renders a page and returns the DOM as the browser built it.</summary>
internal static class HeadlessChromium
{
    public static string Executable => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Chromium is not installed; eng/test.sh installs Debian's chromium package.");

    public static async Task<string> DumpDomAsync(string file, TimeSpan timeout)
    {
        var profile = Directory.CreateTempSubdirectory("ck-chromium-").FullName;
        var startInfo = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile, "--dump-dom", new Uri(file).AbsoluteUri })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var dom = await process.StandardOutput.ReadToEndAsync().WaitAsync(timeout);
            await process.WaitForExitAsync().WaitAsync(timeout);
            return process.ExitCode == 0 ? dom : throw new InvalidOperationException($"chromium exited {process.ExitCode}: {await stderr}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(profile, recursive: true);
        }
    }
}
