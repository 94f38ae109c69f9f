using ConnectorKit.Server.Outbox;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Hosting;

/// <summary>Creates or upgrades the schema before the server takes calls.</summary>
internal sealed class StoreMigrationService(IConnectorKitStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Runs the outbox dispatcher unless this node is configured not to.</summary>
internal sealed class DispatcherHost(IOptions<ConnectorKitServerOptions> options, OutboxDispatcher dispatcher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
        => options.Value.RunOutboxDispatcher ? dispatcher.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
        => options.Value.RunOutboxDispatcher ? dispatcher.StopAsync(cancellationToken) : Task.CompletedTask;
}

/// <summary>Forwards <see cref="IOutboxSignal.Nudge"/> to the dispatcher once it exists.</summary>
internal sealed class OutboxSignal(IServiceProvider services) : IOutboxSignal
{
    public void Nudge() => (services.GetService(typeof(OutboxDispatcher)) as OutboxDispatcher)?.Nudge();
}
