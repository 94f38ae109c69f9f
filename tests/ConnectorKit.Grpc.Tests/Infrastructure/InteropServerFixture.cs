using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>The ConnectorKit interop server (grpc.testing.TestService, health, reflection) on a free loopback port, h2c.</summary>
public sealed class InteropServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public string Address => $"http://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        _app = InteropServer.InteropServer.Create(port: 0);
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Port = new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
    }
}
