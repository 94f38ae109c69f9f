using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConnectorKit.Connectors.Testing.Internal;

/// <summary>A WireMock JVM on a loopback port, with a private root directory, killed with its tree on dispose.</summary>
internal sealed class WireMockProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 40;

    private readonly Process process;
    private readonly string rootDirectory;
    private readonly Queue<string> output = new();

    private WireMockProcess(Process process, string rootDirectory, int port)
    {
        this.process = process;
        this.rootDirectory = rootDirectory;
        Port = port;
    }

    public int Port { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the JVM wrote, for error messages.</summary>
    public string RecentOutput
    {
        get
        {
            if (process.HasExited)
            {
                // Once the JVM is gone, wait for the asynchronous readers to reach the end of its output, so the
                // message that explains the exit (an unknown JVM option, a port taken) is not lost.
                process.WaitForExit();
            }

            lock (output)
            {
                return string.Join(Environment.NewLine, output);
            }
        }
    }

    public static WireMockProcess Start(string java, string jar, IEnumerable<string> jvmArguments, IEnumerable<string> extraArguments)
    {
        // An empty root directory of our own: WireMock would otherwise load ./mappings from the working directory,
        // and reset restores what is there.
        var root = Directory.CreateTempSubdirectory("connectorkit-wiremock-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "mappings"));
        Directory.CreateDirectory(Path.Combine(root, "__files"));
        var port = FreeLoopbackPort();

        var startInfo = new ProcessStartInfo(java)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in jvmArguments.Concat(
                 [
                     "-jar", jar,
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind-address", "127.0.0.1",
                     "--root-dir", root,
                     "--disable-banner",
                 ]).Concat(extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"'{java}' did not start.");
        }
        catch (Win32Exception e)
        {
            TryDelete(root);
            throw new InvalidOperationException(
                $"Cannot run '{java}' to start WireMock: {e.Message}. Install Java 17 or later, put it on PATH or set JAVA_HOME.", e);
        }

        var started = new WireMockProcess(process, root, port);
        process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Win32Exception)
        {
            // Already gone, or not dying in time: nothing more a test run can do about it.
        }
        finally
        {
            process.Dispose();
            TryDelete(rootDirectory);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > KeptOutputLines)
            {
                output.Dequeue();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        // WireMock takes a port number, not a listening socket; another process may grab it in between,
        // which StartAsync survives by trying again.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
