using ConnectorKit.Connectors.Testing;
using System.Net;
using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Infrastructure;

/// <summary>A bank hosting the contract with AddConnectorKitServer/MapConnectorKitServer on a real Kestrel port.</summary>
public sealed class BankServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BankServerHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public ILoanDecisions Decisions => _app.Services.GetRequiredService<ILoanDecisions>();

    public static async Task<BankServerHost> StartAsync(Action<ConnectorKitServerOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // The test's working directory may hold another app's appsettings.json (examples/BankServer's, with a fixed Kestrel
        // endpoint, is copied next to the tests that reference it); its endpoints would replace the port-0 listener below.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddConnectorKitServer(options =>
        {
            options.BankId = SampleData.BankId;
            options.Platform.BaseRetryDelay = TimeSpan.FromMilliseconds(20);
            options.Platform.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            options.Platform.PollInterval = TimeSpan.FromMilliseconds(20);
            configure(options);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapConnectorKitServer();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BankServerHost(app, new Uri(address));
    }

    public GrpcChannel CreateChannel(string? bearerToken = null)
    {
        var options = new GrpcChannelOptions();
        if (bearerToken is not null)
        {
            options.Interceptors.Add(new BearerTokenInterceptor(bearerToken));
        }

        return GrpcChannel.ForAddress(Address, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}
