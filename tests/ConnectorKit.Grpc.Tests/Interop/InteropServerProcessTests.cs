using System.Diagnostics;
using ConnectorKit.Grpc.Tests.Infrastructure;

namespace ConnectorKit.Grpc.Tests.Interop;

/// <summary>The interop server started on its own, as another gRPC implementation's interop client would use it.</summary>
public sealed class InteropServerProcessTests
{
    [Fact]
    public async Task InteropServerProcess_PortZero_PrintsPortAndServesGrpcJsClient()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepoPaths.Root, "tests", "ConnectorKit.Grpc.InteropServer", "bin", configuration, "net10.0", "ConnectorKit.Grpc.InteropServer.dll");
        Assert.True(File.Exists(dll), dll);
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(dll);
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add("0");
        using var server = Process.Start(startInfo)!;
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            Assert.StartsWith("LISTENING ", line, StringComparison.Ordinal);
            var port = line["LISTENING ".Length..];

            var result = await ProcessRunner.RunAsync("node", ["client.js", "--server_host", "127.0.0.1", "--server_port", port, "--test_case", "large_unary"], TimeSpan.FromSeconds(60), RepoPaths.GrpcJsDirectory);

            Assert.True(result.ExitCode == 0, result.Combined);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
