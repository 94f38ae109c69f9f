using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>
/// One serialization and one deserialization context per thread, shared by the server's calls. Marshallers run
/// synchronously, so a thread needs each at most once at a time; renting empties the slot, which keeps a marshaller
/// that re-enters (for instance one that makes its own call) on a fresh instance.
/// </summary>
internal static class PerThreadContexts
{
    // The buffer of compression and non-direct marshallers grows to the largest message; don't keep big ones per thread.
    private const int MaxRetainedCapacity = 64 * 1024;

    [ThreadStatic]
    private static FramingSerializationContext? t_serialization;

    [ThreadStatic]
    private static PayloadDeserializationContext? t_deserialization;

    public static FramingSerializationContext RentSerialization()
    {
        var cached = t_serialization;
        t_serialization = null;
        return cached ?? new FramingSerializationContext();
    }

    public static void Return(FramingSerializationContext context)
    {
        if (context.BufferCapacity <= MaxRetainedCapacity)
        {
            t_serialization = context;
        }
    }

    public static PayloadDeserializationContext RentDeserialization()
    {
        var cached = t_deserialization;
        t_deserialization = null;
        return cached ?? new PayloadDeserializationContext();
    }

    public static void Return(PayloadDeserializationContext context)
    {
        context.Reset();
        t_deserialization = context;
    }
}
