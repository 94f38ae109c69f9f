using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Server.Tests.Security;

/// <summary>
/// The interceptor's own certificate checks, driven without a handshake in front: behind a TLS-terminating proxy, or with a
/// listener not set up by <see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/>, it is the only check.
/// </summary>
public sealed class PlatformAuthenticationInterceptorCertificateTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const string Token = "ck-token-platform-b-99aa88bb77cc66dd";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    [Fact]
    public async Task Unary_CaSignedCertificate_StoresCertificateIdentity()
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext(clientCertificate: certificates.Client);

        var identity = await interceptor.UnaryServerHandler<string, PlatformIdentity>("request", context, (_, c) => Task.FromResult(c.GetPlatformIdentity())).WaitAsync(Timeout);

        Assert.Equal(new PlatformIdentity(TestCertificates.ClientPlatformId, PlatformIdentity.CertificateMethod), identity);
    }

    [Fact]
    public async Task Unary_ExpiredCertificate_UnauthenticatedAndHandlerNotRun()
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext(clientCertificate: certificates.ExpiredClient);
        var handlerRan = false;

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", context, (r, _) =>
        {
            handlerRan = true;
            return Task.FromResult(r);
        })).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.False(handlerRan);
    }

    [Fact]
    public async Task Unary_CertificateFromAnotherCa_Unauthenticated()
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext(clientCertificate: certificates.OtherCaClient);

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", context, (r, _) => Task.FromResult(r))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Unary_NoCertificateWhenRequired_Unauthenticated()
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext();

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", context, (r, _) => Task.FromResult(r))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Duplex_CertificateAndTokenOfDifferentPlatforms_PermissionDenied()
    {
        var options = RequireCa();
        options.BearerTokens[Token] = "platform-b";
        var interceptor = new PlatformAuthenticationInterceptor(options);
        var context = new FakeServerCallContext(clientCertificate: certificates.Client, headers: EchoCalls.Bearer(Token));

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.DuplexStreamingServerHandler<string, string>(null!, null!, context, (_, _, _) => Task.CompletedTask)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Theory]
    [InlineData("/grpc.health.v1.Health/Check")]
    [InlineData("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")]
    [InlineData("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")]
    public async Task ServerStreaming_HealthOrReflectionWithoutCredentials_PassesThrough(string method)
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext(method);
        var handlerRan = false;

        await interceptor.ServerStreamingServerHandler<string, string>("request", null!, context, (_, _, _) =>
        {
            handlerRan = true;
            return Task.CompletedTask;
        }).WaitAsync(Timeout);

        Assert.True(handlerRan);
    }

    [Fact]
    public async Task Unary_HealthLookalikeService_StillAuthenticated()
    {
        var interceptor = new PlatformAuthenticationInterceptor(RequireCa());
        var context = new FakeServerCallContext("/grpc.health.v1alpha.Health/Check");

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", context, (r, _) => Task.FromResult(r))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private ServerAuthenticationOptions RequireCa() => new()
    {
        RequireClientCertificate = true,
        ClientCertificateCaPath = certificates.AuthorityPemPath,
    };
}
