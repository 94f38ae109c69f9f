using System.Net;
using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Tests.Receiver;
using ConnectorKit.Client.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Client.Tests.Security;

/// <summary>
/// The platform's receiver (AddConnectorKitCallbacks/MapConnectorKitCallbacks, SQLite in a temp dir) on Kestrel TLS that
/// requires a client certificate but accepts any in the handshake, so the receiver's own certificate checks decide.
/// </summary>
public sealed class TlsCallbackHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private TlsCallbackHost(WebApplication app, Uri address, string dataDirectory)
    {
        _app = app;
        Address = address;
        _dataDirectory = dataDirectory;
    }

    /// <summary><c>https://127.0.0.1:port</c>; the server certificate names 127.0.0.1.</summary>
    public Uri Address { get; }

    public RecordingLoanEventHandler Handler => (RecordingLoanEventHandler)_app.Services.GetRequiredService<ILoanEventHandler>();

    public IApplicationTracker Tracker => _app.Services.GetRequiredService<IApplicationTracker>();

    public IPlatformStore Store => _app.Services.GetRequiredService<IPlatformStore>();

    public static async Task<TlsCallbackHost> StartAsync(X509Certificate2 serverCertificate, Action<ConnectorKitCallbackOptions> configure)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ck-tls-callbacks-" + Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                CheckCertificateRevocation = false,

                // The banks' CA is private; the receiver (ConnectorKitCallbackOptions) is what trusts or pins it.
                ClientCertificateValidation = (_, _, _) => true,
            });
        }));
        builder.Services.AddConnectorKitCallbacks(options =>
        {
            options.StoreKind = PlatformStoreKind.Sqlite;
            options.DataDirectory = dataDirectory;
            configure(options);
        });
        builder.Services.AddSingleton<ILoanEventHandler>(new RecordingLoanEventHandler());
        var app = builder.Build();
        app.MapConnectorKitCallbacks();
        await app.StartAsync().WaitAsync(Timeout);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        return new TlsCallbackHost(app, new Uri($"https://127.0.0.1:{port}"), dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(Timeout);
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp dir is harmless.
        }
    }
}
