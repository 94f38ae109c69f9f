using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>Finds the service instance for a call: from DI when registered, otherwise a new one per call.</summary>
internal sealed class ServiceActivator<TService>
    where TService : class
{
    private static readonly Lazy<ObjectFactory> Factory = new(() => ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes));

    public (TService Service, bool Created) Create(IServiceProvider services)
    {
        var registered = services.GetService<TService>();
        if (registered is not null)
        {
            return (registered, false);
        }

        return ((TService)Factory.Value(services, null), true);
    }

    public static ValueTask ReleaseAsync(TService service, bool created)
    {
        if (!created)
        {
            return ValueTask.CompletedTask;
        }

        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }

        (service as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
