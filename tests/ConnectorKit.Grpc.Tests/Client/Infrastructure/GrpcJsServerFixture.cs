using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConnectorKit.Grpc.Tests.Client.Infrastructure;

/// <summary>
/// The grpc-js interop server (tests/interop/grpc-js/server.js) on a free loopback port, h2c, one per test class.
/// Its stdin is a pipe, so it also exits if this process dies without disposing the fixture.
/// </summary>
public sealed class GrpcJsServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _stderr = new();
    private Process? _process;

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>What the server wrote to stderr so far, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public GrpcChannel CreateChannel(Action<GrpcChannelOptions>? configure = null)
    {
        var options = new GrpcChannelOptions();
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(Address, options);
    }

    public async Task InitializeAsync()
    {
        if (!Directory.Exists(ClientRepoPaths.GrpcJsPackage))
        {
            throw new InvalidOperationException($"@grpc/grpc-js is not installed at {ClientRepoPaths.GrpcJsPackage}: run `cd tools && npm ci` first.");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ClientRepoPaths.GrpcJsServer);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");

        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();

        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout);
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"server.js did not report its port (got '{line}'). stderr: {Diagnostics}");
        }

        Port = int.Parse(line.AsSpan("LISTENING ".Length), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
