using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>The ConnectorKit interop server (grpc.testing.TestService, health, reflection) on a free loopback port, h2c.</summary>
public class InteropServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>The server's services, e.g. to change what the health service reports.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    public virtual string Address => $"http://127.0.0.1:{Port}";

    protected virtual WebApplication CreateApp() => InteropServer.InteropServer.Create(port: 0);

    public virtual async Task InitializeAsync()
    {
        _app = CreateApp();
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Port = new Uri(address).Port;
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The interop server over TLS (h2 by ALPN) with a throw-away certificate for localhost, also written as PEM for peers to trust.</summary>
public sealed class TlsInteropServerFixture : InteropServerFixture
{
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate = InteropServer.InteropServer.CreateSelfSignedCertificate();

    public string CertificatePemPath { get; } = Path.Combine(Path.GetTempPath(), $"ck-interop-{Guid.NewGuid():N}.pem");

    public override string Address => $"https://localhost:{Port}";

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate => _certificate;

    protected override WebApplication CreateApp() => InteropServer.InteropServer.Create(port: 0, useTls: true, certificate: _certificate);

    public override async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(CertificatePemPath, _certificate.ExportCertificatePem());
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(CertificatePemPath);
        _certificate.Dispose();
    }
}
