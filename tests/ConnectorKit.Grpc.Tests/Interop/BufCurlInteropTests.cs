using ConnectorKit.Grpc.Tests.Infrastructure;

namespace ConnectorKit.Grpc.Tests.Interop;

/// <summary><c>buf curl</c> discovers services through reflection and calls them over h2c with no .proto at hand.</summary>
public sealed class BufCurlInteropTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Fact]
    public async Task BufCurl_ListServices_ShowsTestHealthAndReflection()
    {
        var result = await BufCurlAsync("--list-services", server.Address);

        Assert.True(result.ExitCode == 0, result.Combined);
        var services = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("grpc.testing.TestService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
    }

    [Fact]
    public async Task BufCurl_ListMethods_ShowsTestServiceMethods()
    {
        var result = await BufCurlAsync("--list-methods", server.Address);

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("grpc.testing.TestService/UnaryCall", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("grpc.testing.TestService/FullDuplexCall", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BufCurl_UnaryCallThroughReflection_ReturnsRequestedPayload()
    {
        var result = await BufCurlAsync("-d", "{\"responseSize\": 3}", server.Address + "/grpc.testing.TestService/UnaryCall");

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("\"body\": \"AAAA\"", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BufCurl_HealthCheck_ReportsServing()
    {
        var result = await BufCurlAsync("-d", "{\"service\": \"grpc.testing.TestService\"}", server.Address + "/grpc.health.v1.Health/Check");

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("SERVING", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BufCurl_ErrorStatus_ReportsCodeAndMessage()
    {
        var result = await BufCurlAsync("-d", "{\"responseStatus\": {\"code\": 9, \"message\": \"同意已过期\"}}", server.Address + "/grpc.testing.TestService/UnaryCall");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("failed_precondition", result.Combined, StringComparison.Ordinal);
        Assert.Contains("同意已过期", result.Combined, StringComparison.Ordinal);
    }

    private static Task<ProcessRunner.Result> BufCurlAsync(params string[] arguments)
        => ProcessRunner.RunAsync(RepoPaths.Buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", .. arguments], TimeSpan.FromSeconds(60));
}
