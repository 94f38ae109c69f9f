using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Grpc.Health.V1;

namespace ConnectorKit.Server.Tests.Security;

/// <summary>Bearer tokens over h2c, for every call kind, and what stays open.</summary>
public sealed class PlatformAuthenticationInterceptorTests
{
    private const string TokenA = "ck-token-platform-a-7d1f0c9e2b5a4c3d";
    private const string TokenB = "ck-token-platform-b-0a9b8c7d6e5f4a3b";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    public static TheoryData<CallKind> Kinds => [CallKind.Unary, CallKind.ClientStreaming, CallKind.ServerStreaming, CallKind.Duplex];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Call_ValidBearerToken_HandlerSeesTheTokensPlatform(CallKind kind)
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var reply = await EchoCalls.CallAsync(channel, kind, EchoCalls.Bearer(TokenB)).WaitAsync(Timeout);

        Assert.Equal("platform-b|bearer|hello", reply);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Call_MissingBearerToken_Unauthenticated(CallKind kind)
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, kind)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Unary_UnknownBearerToken_UnauthenticatedAndTokenInNoMessageOrLog()
    {
        var logs = new InMemoryLoggerProvider();
        var wrongToken = TokenA[..^4] + "ffff";
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens(), Logs = logs });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(wrongToken))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.DoesNotContain(wrongToken, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.Message.Contains("unknown bearer token", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.FullText.Contains(wrongToken, StringComparison.Ordinal) || line.FullText.Contains(TokenA, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Basic " + TokenA)]
    [InlineData(TokenA)]
    [InlineData("Bearer ")]
    public async Task Unary_AuthorizationNotABearerToken_Unauthenticated(string authorization)
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, new Metadata { { "authorization", authorization } })).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Unary_TwoAuthorizationEntries_Unauthenticated()
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);
        var headers = new Metadata { { "authorization", "Bearer " + TokenA }, { "authorization", "Bearer " + TokenB } };

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, headers)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Unary_LowercaseBearerScheme_Accepted()
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var reply = await EchoCalls.CallAsync(channel, CallKind.Unary, new Metadata { { "authorization", "bearer " + TokenA } }).WaitAsync(Timeout);

        Assert.Equal("platform-a|bearer|hello", reply);
    }

    [Fact]
    public async Task Unary_NothingConfigured_AnonymousWithDefaultPlatformId()
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = new ServerAuthenticationOptions { DefaultPlatformId = "pilot-platform" } });
        using var channel = GrpcChannel.ForAddress(server.Address);

        var reply = await EchoCalls.CallAsync(channel, CallKind.Unary).WaitAsync(Timeout);

        Assert.Equal("pilot-platform|anonymous|hello", reply);
    }

    [Fact]
    public async Task HealthCheck_TokensRequiredButNoneSent_Serving()
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = Tokens() });
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new Health.HealthClient(channel);

        var response = await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public void Constructor_CertificateRequiredWithoutCaOrPins_Throws()
    {
        var options = new ServerAuthenticationOptions { RequireClientCertificate = true };

        var error = Assert.Throws<InvalidOperationException>(() => new PlatformAuthenticationInterceptor(options));

        Assert.Contains("ClientCertificateCaPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetPlatformIdentity_InterceptorDidNotRun_ThrowsNamingTheInterceptor()
    {
        var context = new FakeServerCallContext();

        var error = Assert.Throws<InvalidOperationException>(() => context.GetPlatformIdentity());

        Assert.Contains(nameof(PlatformAuthenticationInterceptor), error.Message, StringComparison.Ordinal);
    }

    private static ServerAuthenticationOptions Tokens() => new()
    {
        BearerTokens = { [TokenA] = "platform-a", [TokenB] = "platform-b" },
    };
}
