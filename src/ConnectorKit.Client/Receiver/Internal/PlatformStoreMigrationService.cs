using ConnectorKit.Client.Tracking;
using Microsoft.Extensions.Hosting;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>Migrates the platform store before the host starts serving callbacks.</summary>
internal sealed class PlatformStoreMigrationService(IPlatformStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
