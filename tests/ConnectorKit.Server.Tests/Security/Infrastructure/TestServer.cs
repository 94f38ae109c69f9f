using System.Net;
using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Security.Infrastructure;

/// <summary>What a <see cref="TestServer"/> runs with.</summary>
public sealed class TestServerOptions
{
    public ServerAuthenticationOptions Authentication { get; init; } = new();

    /// <summary>Serve TLS with this certificate through <see cref="ConnectorKitKestrelExtensions.UseConnectorKitTls"/>; null serves h2c.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>Receives every log line of the server, from Trace up.</summary>
    public ILoggerProvider? Logs { get; init; }

    /// <summary>Adds <see cref="TelemetryInterceptor"/> (outermost) with this telemetry.</summary>
    public ConnectorKitServerTelemetry? Telemetry { get; init; }

    public bool Authenticate { get; init; } = true;
}

/// <summary>
/// Kestrel on a free loopback port serving <see cref="EchoService"/> and health, behind the interceptors under test.
/// Starting and stopping are bounded by <see cref="Timeout"/> inside.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private bool _disposed;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<TestServer> StartAsync(TestServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.Logs is { } logs)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (options.TlsCertificate is { } certificate)
            {
                listen.UseConnectorKitTls(certificate, options.Authentication);
            }
            else
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));

        // Through the options and DI, the way a host registers the interceptor.
        builder.Services.Configure<ConnectorKitServerOptions>(o => o.Authentication = options.Authentication);
        builder.Services.AddSingleton<EchoService>();
        builder.Services.AddConnectorKitGrpc(grpc =>
        {
            if (options.Telemetry is { } telemetry)
            {
                grpc.Interceptors.Add<TelemetryInterceptor>(telemetry);
            }

            if (options.Authenticate)
            {
                grpc.Interceptors.Add<PlatformAuthenticationInterceptor>();
            }
        });

        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGrpcHealthChecksService();
        await app.StartAsync().WaitAsync(Timeout);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        var scheme = options.TlsCertificate is null ? "http" : "https";
        return new TestServer(app, new Uri($"{scheme}://127.0.0.1:{port}"));
    }

    /// <summary>Stops the server, after which every log line it will write is written. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync().WaitAsync(Timeout);
        await _app.DisposeAsync().AsTask().WaitAsync(Timeout);
    }
}
