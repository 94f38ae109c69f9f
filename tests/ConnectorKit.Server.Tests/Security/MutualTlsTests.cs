using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Server.Tests.Security;

/// <summary>TLS through <see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/> with client certificates, alone and with tokens.</summary>
public sealed class MutualTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const string TokenA = "ck-token-platform-a-5e6f7a8b9c0d1e2f";
    private const string TokenB = "ck-token-platform-b-1a2b3c4d5e6f7a8b";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    public static TheoryData<CallKind> Kinds => [CallKind.Unary, CallKind.ClientStreaming, CallKind.ServerStreaming, CallKind.Duplex];

    [Fact]
    public async Task Call_RequiredCertificateMissing_Refused()
    {
        await using var server = await StartAsync(RequireCa());
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority);

        await AssertRefusedAsync(() => EchoCalls.CallAsync(channel));
    }

    [Fact]
    public async Task Call_CertificateFromAnotherCa_RefusedInTheHandshake()
    {
        var logs = new InMemoryLoggerProvider();
        await using var server = await StartAsync(RequireCa(), logs);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.OtherCaClient);

        await AssertRefusedAsync(() => EchoCalls.CallAsync(channel));

        Assert.Contains(logs.Lines, line => line.Category == typeof(ConnectorKitKestrelExtensions).FullName && line.Message.Contains("does not chain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_ExpiredCertificate_RefusedInTheHandshake()
    {
        var logs = new InMemoryLoggerProvider();
        await using var server = await StartAsync(RequireCa(), logs);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.ExpiredClient);

        await AssertRefusedAsync(() => EchoCalls.CallAsync(channel));

        Assert.Contains(logs.Lines, line => line.Category == typeof(ConnectorKitKestrelExtensions).FullName && line.Message.Contains("expired", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Call_CaSignedCertificate_IdentityIsSubjectCommonName(CallKind kind)
    {
        await using var server = await StartAsync(RequireCa());
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.Client);

        var reply = await EchoCalls.CallAsync(channel, kind).WaitAsync(Timeout);

        Assert.Equal($"{TestCertificates.ClientPlatformId}|certificate|hello", reply);
    }

    [Fact]
    public async Task Call_PinnedCertificateWithoutAnyCa_IdentityIsThePinnedPlatform()
    {
        var thumbprint = TestCertificates.Sha256Thumbprint(certificates.OtherCaClient);
        await using var server = await StartAsync(new ServerAuthenticationOptions
        {
            RequireClientCertificate = true,
            PinnedClientCertificates = { [thumbprint] = "pinned-platform" },
        });
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.OtherCaClient);

        var reply = await EchoCalls.CallAsync(channel).WaitAsync(Timeout);

        Assert.Equal("pinned-platform|certificate|hello", reply);
    }

    [Fact]
    public async Task Call_PinnedCertificateOnlyButAnotherSent_Refused()
    {
        await using var server = await StartAsync(new ServerAuthenticationOptions
        {
            RequireClientCertificate = true,
            PinnedClientCertificates = { [TestCertificates.Sha256Thumbprint(certificates.OtherCaClient)] = "pinned-platform" },
        });
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.Client);

        await AssertRefusedAsync(() => EchoCalls.CallAsync(channel));
    }

    [Fact]
    public async Task Call_CertificateAndTokenOfDifferentPlatforms_PermissionDenied()
    {
        var options = RequireCa();
        options.BearerTokens[TokenB] = "platform-b";
        await using var server = await StartAsync(options);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.Client);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(TokenB))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.DoesNotContain(TokenB, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_CertificateAndTokenOfTheSamePlatform_Succeeds()
    {
        var options = RequireCa();
        options.BearerTokens[TokenA] = TestCertificates.ClientPlatformId;
        await using var server = await StartAsync(options);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.Client);

        var reply = await EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(TokenA)).WaitAsync(Timeout);

        Assert.Equal($"{TestCertificates.ClientPlatformId}|certificate|hello", reply);
    }

    [Fact]
    public async Task Call_ValidCertificateButConfiguredTokenMissing_Unauthenticated()
    {
        var options = RequireCa();
        options.BearerTokens[TokenA] = TestCertificates.ClientPlatformId;
        await using var server = await StartAsync(options);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.Client);

        var error = await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_OptionalCertificateAbsent_TokenIdentifiesThePlatform()
    {
        var options = RequireCa();
        options.RequireClientCertificate = false;
        options.BearerTokens[TokenB] = "platform-b";
        await using var server = await StartAsync(options);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority);

        var reply = await EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(TokenB)).WaitAsync(Timeout);

        Assert.Equal("platform-b|bearer|hello", reply);
    }

    [Fact]
    public async Task Call_OptionalCertificateFromAnotherCa_Refused()
    {
        var options = RequireCa();
        options.RequireClientCertificate = false;
        options.BearerTokens[TokenA] = TestCertificates.ClientPlatformId;
        await using var server = await StartAsync(options);
        using var channel = EchoCalls.TlsChannel(server.Address, certificates.Authority, certificates.OtherCaClient);

        await AssertRefusedAsync(() => EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(TokenA)));
    }

    private static async Task AssertRefusedAsync(Func<Task> call)
    {
        // Refused in the handshake the client sees UNAVAILABLE; refused by the interceptor, UNAUTHENTICATED.
        var error = await Assert.ThrowsAsync<RpcException>(call).WaitAsync(Timeout);
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Unauthenticated });
    }

    private ServerAuthenticationOptions RequireCa() => new()
    {
        RequireClientCertificate = true,
        ClientCertificateCaPath = certificates.AuthorityPemPath,
    };

    private Task<TestServer> StartAsync(ServerAuthenticationOptions options, InMemoryLoggerProvider? logs = null)
        => TestServer.StartAsync(new() { Authentication = options, TlsCertificate = certificates.Server, Logs = logs });
}
