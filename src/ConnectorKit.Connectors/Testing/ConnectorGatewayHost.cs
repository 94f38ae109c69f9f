using System.Net;
using ConnectorKit.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// A connector gateway on real Kestrel ports, for tests and the conformance suite: the contract over h2c on
/// <see cref="GrpcAddress"/>, and the bank-facing endpoints (webhooks, notifications) over HTTP/1.1 on
/// <see cref="BankFacingAddress"/>. Configured exactly as the gateway executable, from key/value settings.
/// </summary>
public sealed class ConnectorGatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConnectorGatewayHost(WebApplication app, Uri grpcAddress, Uri bankFacingAddress)
    {
        _app = app;
        GrpcAddress = grpcAddress;
        BankFacingAddress = bankFacingAddress;
    }

    /// <summary>Where the platform calls the contract (h2c).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>Where the bank sends webhooks and notifications (HTTP/1.1), ending with '/'.</summary>
    public Uri BankFacingAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the gateway for <paramref name="connector"/>. <paramref name="settings"/> uses the gateway's keys
    /// (<c>ConnectorKit:Server:BankId</c>, <c>ConnectorKit:Connectors:{name}:…</c>).
    /// </summary>
    /// <param name="services">Extra registrations after the gateway's, e.g. a fake <see cref="TimeProvider"/>.</param>
    /// <param name="logging">Where logs go; none by default.</param>
    public static async Task<ConnectorGatewayHost> StartAsync(
        BankConnector connector,
        IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection>? services = null,
        Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        // Only the given settings: an appsettings.json lying in the working directory must not add endpoints or options.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddConnectorKitGateway(connector, builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapConnectorKitGateway();
        await app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);

        // Kestrel reports the addresses in the order they were configured.
        var addresses = app.Urls.Select(u => new Uri(u.Replace("[::]", "127.0.0.1", StringComparison.Ordinal))).ToList();
        return new ConnectorGatewayHost(app, addresses[0], new Uri(addresses[1].ToString().TrimEnd('/') + "/"));
    }

    /// <summary>A channel to <see cref="GrpcAddress"/>; dispose it after use.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(GrpcAddress, options ?? new GrpcChannelOptions());

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
