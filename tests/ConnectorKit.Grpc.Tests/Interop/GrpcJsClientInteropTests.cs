using ConnectorKit.Grpc.Tests.Infrastructure;

namespace ConnectorKit.Grpc.Tests.Interop;

/// <summary>The real @grpc/grpc-js interop client, run case by case against the ConnectorKit interop server.</summary>
public sealed class GrpcJsClientInteropTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    private static readonly string[] CaseNames =
    [
        "empty_unary",
        "large_unary",
        "client_streaming",
        "server_streaming",
        "ping_pong",
        "empty_stream",
        "status_code_and_message",
        "special_status_message",
        "chinese_status_message",
        "custom_metadata",
        "unimplemented_method",
        "unimplemented_service",
        "cancel_after_begin",
        "cancel_after_first_response",
        "timeout_on_sleeping_server",
        "client_compressed_unary",
        "client_compressed_streaming",
        "server_compressed_unary",
        "server_compressed_streaming",
        "oversize_request",
        "oversize_response",
    ];

    public static TheoryData<string> Cases => new(CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task GrpcJsClient_AgainstConnectorKitServer_Passes(string testCase)
    {
        var arguments = new[] { "client.js", "--server_host", "127.0.0.1", "--server_port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--test_case", testCase };

        var result = await ProcessRunner.RunAsync("node", arguments, TimeSpan.FromSeconds(60), RepoPaths.GrpcJsDirectory);

        Assert.True(result.ExitCode == 0, $"grpc-js client case {testCase} failed (exit {result.ExitCode}):\n{result.Combined}");
        Assert.Contains($"PASS {testCase}", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcJsClient_CaseList_CoversEveryCaseTestedHere()
    {
        var result = await ProcessRunner.RunAsync("node", ["client.js", "--test_case", "list"], TimeSpan.FromSeconds(30), RepoPaths.GrpcJsDirectory);

        var listed = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(0, result.ExitCode);
        foreach (var testCase in CaseNames)
        {
            Assert.Contains(testCase, listed);
        }
    }
}
