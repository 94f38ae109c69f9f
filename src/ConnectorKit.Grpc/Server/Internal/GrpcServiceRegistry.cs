using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>The services mapped on this server, for reflection and for mapping the UNIMPLEMENTED fallback once.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly List<ServiceDescriptor> _descriptors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

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

    public bool TryAdd(string serviceName, ServiceDescriptor? descriptor)
    {
        lock (_descriptors)
        {
            if (!_names.Add(serviceName))
            {
                return false;
            }

            if (descriptor is not null)
            {
                _descriptors.Add(descriptor);
            }
        }

        ServiceMapped?.Invoke(serviceName);
        return true;
    }
}
