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

/// <summary>The grpc-js client over TLS: h2 negotiated by ALPN, the server's certificate checked against a trusted PEM.</summary>
public sealed class GrpcJsClientTlsInteropTests(TlsInteropServerFixture server) : IClassFixture<TlsInteropServerFixture>
{
    [Theory]
    [InlineData("empty_unary")]
    [InlineData("large_unary")]
    [InlineData("ping_pong")]
    [InlineData("custom_metadata")]
    [InlineData("special_status_message")]
    public async Task GrpcJsClientOverTls_AgainstConnectorKitServer_Passes(string testCase)
    {
        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] arguments = ["client.js", "--server_host", "127.0.0.1", "--server_port", port, "--test_case", testCase, "--use_tls", "true", "--ca_file", server.CertificatePemPath, "--server_host_override", "localhost"];

        var result = await ProcessRunner.RunAsync("node", arguments, TimeSpan.FromSeconds(60), RepoPaths.GrpcJsDirectory);

        Assert.True(result.ExitCode == 0, $"grpc-js TLS case {testCase} failed (exit {result.ExitCode}):\n{result.Combined}");
    }

    [Fact]
    public async Task GrpcJsClientOverTls_UntrustedCertificate_IsRefused()
    {
        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] arguments = ["client.js", "--server_host", "127.0.0.1", "--server_port", port, "--test_case", "empty_unary", "--use_tls", "true", "--server_host_override", "localhost", "--deadline_ms", "3000"];

        var result = await ProcessRunner.RunAsync("node", arguments, TimeSpan.FromSeconds(60), RepoPaths.GrpcJsDirectory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAIL empty_unary", result.StandardOutput, StringComparison.Ordinal);
    }
}
