using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>The services mapped on this server, for reflection and for mapping the UNIMPLEMENTED fallback once.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly List<ServiceDescriptor> _descriptors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    // Routing matches literal segments ignoring case, so the fallback routes must step aside the same way.
    private readonly HashSet<string> _namesIgnoringCase = new(StringComparer.OrdinalIgnoreCase);

    public bool UnknownServiceFallbackMapped { get; set; }

    /// <summary>Raised with the service name each time a service is mapped.</summary>
    public event Action<string>? ServiceMapped;

    public IReadOnlyList<ServiceDescriptor> Descriptors
    {
        get
        {
            lock (_descriptors)
            {
                return [.. _descriptors];
            }
        }
    }

    /// <summary>Whether a service of this name (ignoring case, as routing compares segments) is mapped.</summary>
    public bool IsMapped(string serviceName)
    {
        lock (_descriptors)
        {
            return _namesIgnoringCase.Contains(serviceName);
        }
    }

    public bool TryAdd(string serviceName, ServiceDescriptor? descriptor)
    {
        lock (_descriptors)
        {
            if (!_names.Add(serviceName))
            {
                return false;
            }

            _namesIgnoringCase.Add(serviceName);

            if (descriptor is not null)
            {
                _descriptors.Add(descriptor);
            }
        }

        ServiceMapped?.Invoke(serviceName);
        return true;
    }
}
