using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>
/// Finds the service instance for a call: from DI when registered (through the request's scope, so scoped services
/// work), otherwise a new one per call. A registered service that comes back as the same instance from two different
/// request scopes is a singleton; from then on it is used directly and the per-request scope is never created for it.
/// </summary>
internal sealed class ServiceActivator<TService>
    where TService : class
{
    private static readonly Lazy<ObjectFactory> Factory = new(() => ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes));

    private TService? _singleton;
    private TService? _firstSeen;
    private IServiceProvider? _firstScope;

    public (TService Service, bool Created) Create(Microsoft.AspNetCore.Http.HttpContext httpContext)
    {
        if (_singleton is { } singleton)
        {
            return (singleton, false);
        }

        var scope = httpContext.RequestServices;
        var registered = scope.GetService<TService>();
        if (registered is null)
        {
            return ((TService)Factory.Value(scope, null), true);
        }

        var firstSeen = Volatile.Read(ref _firstSeen);
        if (firstSeen is null)
        {
            _firstScope = scope;
            Volatile.Write(ref _firstSeen, registered);
        }
        else if (ReferenceEquals(firstSeen, registered) && !ReferenceEquals(_firstScope, scope))
        {
            _firstScope = null;
            Volatile.Write(ref _singleton, registered);
        }

        return (registered, false);
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
