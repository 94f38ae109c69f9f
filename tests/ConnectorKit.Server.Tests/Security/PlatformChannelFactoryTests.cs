using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Security;

public sealed class PlatformChannelFactoryTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const string Token = "ck-callback-token-3c4d5e6f7a8b9c0d";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    public static TheoryData<CallKind> Kinds => [CallKind.Unary, CallKind.ClientStreaming, CallKind.ServerStreaming, CallKind.Duplex];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Create_TlsServerRequiringCertificateAndToken_CallSucceedsAsThePlatform(CallKind kind)
    {
        await using var server = await TestServer.StartAsync(new()
        {
            TlsCertificate = certificates.Server,
            Authentication = new ServerAuthenticationOptions
            {
                RequireClientCertificate = true,
                ClientCertificateCaPath = certificates.AuthorityPemPath,
                BearerTokens = { [Token] = TestCertificates.ClientPlatformId },
            },
        });
        using var channel = PlatformChannelFactory.Create(new PlatformCallbackOptions
        {
            Address = server.Address,
            BearerToken = Token,
            ClientCertificatePath = certificates.ClientPemPath,
            ClientCertificateKeyPath = certificates.ClientKeyPemPath,
            TrustedCaPath = certificates.AuthorityPemPath,
        });

        var reply = await EchoCalls.CallAsync(channel, kind).WaitAsync(Timeout);

        Assert.Equal($"{TestCertificates.ClientPlatformId}|certificate|hello", reply);
    }

    [Fact]
    public async Task Create_WithoutTrustedCa_PrivatelySignedServerRefused()
    {
        await using var server = await TestServer.StartAsync(new() { TlsCertificate = certificates.Server });
        using var channel = PlatformChannelFactory.Create(new PlatformCallbackOptions { Address = server.Address });

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Create_HttpAddress_SendsTheTokenOverH2c()
    {
        await using var server = await TestServer.StartAsync(new() { Authentication = new ServerAuthenticationOptions { BearerTokens = { [Token] = "platform-a" } } });
        using var channel = PlatformChannelFactory.Create(new PlatformCallbackOptions { Address = server.Address, BearerToken = Token });

        var reply = await EchoCalls.CallAsync(channel, CallKind.Unary, new Metadata { { "authorization", "Bearer overridden" } }).WaitAsync(Timeout);

        Assert.Equal("platform-a|bearer|hello", reply);
    }

    [Fact]
    public async Task Create_TokenTheServerDoesNotKnow_TokenInNoStatusOrLogLine()
    {
        var logs = new InMemoryLoggerProvider();
        using var clientLogging = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var server = await TestServer.StartAsync(new() { Logs = logs, Authentication = new ServerAuthenticationOptions { BearerTokens = { ["ck-some-other-token-0000"] = "platform-a" } } });
        using var channel = PlatformChannelFactory.Create(new PlatformCallbackOptions { Address = server.Address, BearerToken = Token }, clientLogging);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.DoesNotContain(Token, error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.Category == typeof(PlatformChannelFactory).FullName && line.Level == LogLevel.Warning);
        Assert.Contains(logs.Lines, line => line.Message.Contains("unknown bearer token", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.FullText.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public void Create_NoAddress_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => PlatformChannelFactory.Create(new PlatformCallbackOptions()));
    }

    [Fact]
    public void Create_HttpAddressWithClientCertificate_Throws()
    {
        var options = new PlatformCallbackOptions
        {
            Address = new Uri("http://127.0.0.1:1"),
            ClientCertificatePath = certificates.ClientPemPath,
            ClientCertificateKeyPath = certificates.ClientKeyPemPath,
        };

        Assert.Throws<InvalidOperationException>(() => PlatformChannelFactory.Create(options));
    }
}
