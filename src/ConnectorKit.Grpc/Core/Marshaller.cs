using System.Buffers;
using Google.Protobuf;

namespace ConnectorKit.Grpc;

/// <summary>Turns messages into payload bytes and back. Protobuf messages use the buffer-based overload, which avoids copies.</summary>
public sealed class Marshaller<T>
{
    private readonly Func<T, byte[]>? _simpleSerializer;
    private readonly Func<byte[], T>? _simpleDeserializer;

    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        _simpleSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _simpleDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
        ContextualSerializer = (message, context) => context.Complete(_simpleSerializer(message));
        ContextualDeserializer = context => _simpleDeserializer(context.PayloadAsNewBuffer());
    }

    public Marshaller(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer)
    {
        ContextualSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        ContextualDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    public Action<T, SerializationContext> ContextualSerializer { get; }

    public Func<DeserializationContext, T> ContextualDeserializer { get; }
}

/// <summary>Factory helpers for <see cref="Marshaller{T}"/>.</summary>
public static class Marshallers
{
    public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer) => new(serializer, deserializer);

    public static Marshaller<T> Create<T>(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer) => new(serializer, deserializer);

    /// <summary>A marshaller for a protobuf message that writes straight into the transport's buffers.</summary>
    public static Marshaller<T> ForProtobuf<T>(Google.Protobuf.MessageParser<T> parser)
        where T : Google.Protobuf.IMessage<T>, Google.Protobuf.IBufferMessage
        => new(
            static (T message, SerializationContext context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            (DeserializationContext context) => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}

/// <summary>Where a marshaller writes one message. Call <see cref="Complete()"/> exactly once.</summary>
public abstract class SerializationContext
{
    /// <summary>Completes with a whole payload at once.</summary>
    public virtual void Complete(byte[] payload) => throw new NotSupportedException();

    /// <summary>Announces the payload length before writing, so the frame header can be written first.</summary>
    public virtual void SetPayloadLength(int payloadLength) => throw new NotSupportedException();

    /// <summary>The buffer to write the payload into.</summary>
    public virtual IBufferWriter<byte> GetBufferWriter() => throw new NotSupportedException();

    /// <summary>Marks the payload written to <see cref="GetBufferWriter"/> as complete.</summary>
    public virtual void Complete() => throw new NotSupportedException();
}

/// <summary>The payload of one received message, valid only during the deserializer call.</summary>
public abstract class DeserializationContext
{
    /// <summary>Payload length in bytes (after decompression).</summary>
    public abstract int PayloadLength { get; }

    /// <summary>A copy of the payload.</summary>
    public virtual byte[] PayloadAsNewBuffer() => PayloadAsReadOnlySequence().ToArray();

    /// <summary>The payload without copying; do not keep it after the call.</summary>
    public abstract ReadOnlySequence<byte> PayloadAsReadOnlySequence();
}
