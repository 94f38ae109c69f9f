using ConnectorKit.Connectors.Testing;
using System.Net;
using ConnectorKit.Server;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Client.Tests.Security;

/// <summary>
/// A bank (AddConnectorKitServer/MapConnectorKitServer, SQLite in a temp dir) on a loopback port serving TLS through
/// <see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/> and requiring a client certificate signed by the test CA.
/// </summary>
public sealed class TlsBankHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private TlsBankHost(WebApplication app, Uri address, string dataDirectory)
    {
        _app = app;
        Address = address;
        _dataDirectory = dataDirectory;
    }

    /// <summary><c>https://127.0.0.1:port</c>; the server certificate names 127.0.0.1.</summary>
    public Uri Address { get; }

    public IConnectorKitStore Store => _app.Services.GetRequiredService<IConnectorKitStore>();

    public static async Task<TlsBankHost> StartAsync(TestCertificates certificates)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ck-tls-bank-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var authentication = new ServerAuthenticationOptions
        {
            RequireClientCertificate = true,
            ClientCertificateCaPath = certificates.AuthorityPemPath,
        };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseConnectorKitTls(certificates.Server, authentication)));
        builder.Services.AddConnectorKitServer(options =>
        {
            options.BankId = SampleData.BankId;
            options.DataDirectory = dataDirectory;
            options.Authentication = authentication;
        });
        var app = builder.Build();
        app.MapConnectorKitServer();
        await app.StartAsync().WaitAsync(Timeout);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        return new TlsBankHost(app, new Uri($"https://127.0.0.1:{port}"), dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(Timeout);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file briefly on some platforms; a leftover temp dir is harmless.
        }
    }
}
