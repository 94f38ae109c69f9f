using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace ConnectorKit.Grpc.Internal;

/// <summary>The length-prefixed message: a compressed flag byte, a 4-byte big-endian length, the payload.</summary>
internal static class MessageFraming
{
    public const string ReceiveLimitMessage = "Received message exceeds the maximum configured message size.";
    public const string SendLimitMessage = "Sending message exceeds the maximum configured message size.";

    /// <summary>
    /// Finds the first whole message in <paramref name="buffer"/>. False when more bytes are needed.
    /// Checks the flag and the announced length before the payload arrives, so an oversize message is refused early.
    /// </summary>
    public static bool TryReadMessage(in ReadOnlySequence<byte> buffer, int? maxReceiveSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(new Status(StatusCode.Internal, $"Message frame has an invalid compressed flag {header[0]}.")),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > int.MaxValue || (maxReceiveSize is { } max && length > (uint)max))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ReceiveLimitMessage));
        }

        if (buffer.Length - GrpcProtocol.HeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        return true;
    }

    /// <summary>Decompresses a payload, refusing output above the receive limit.</summary>
    public static byte[] Decompress(in ReadOnlySequence<byte> payload, ICompressionProvider provider, int? maxReceiveSize)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray(), writable: false);
            using var decompressor = provider.CreateDecompressionStream(input);
            using var output = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = decompressor.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (maxReceiveSize is { } max && output.Length + read > max)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, ReceiveLimitMessage));
                    }

                    output.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to decompress a '{provider.EncodingName}' message.", ex));
        }
    }

    /// <summary>Writes a 5-byte frame header.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, bool compressed, int length)
    {
        var span = output.GetSpan(GrpcProtocol.HeaderSize);
        span[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        output.Advance(GrpcProtocol.HeaderSize);
    }

    public static byte[] Compress(ReadOnlySpan<byte> payload, ICompressionProvider provider)
    {
        using var output = new MemoryStream();
        using (var compressor = provider.CreateCompressionStream(output, CompressionLevel.Fastest))
        {
            compressor.Write(payload);
        }

        return output.ToArray();
    }
}

/// <summary>Hands one received payload to a marshaller. Reused across the messages of a call.</summary>
internal sealed class PayloadDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> _payload;

    public override int PayloadLength => (int)_payload.Length;

    public void Initialize(in ReadOnlySequence<byte> payload) => _payload = payload;

    public void Reset() => _payload = default;

    public override byte[] PayloadAsNewBuffer() => _payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;
}

/// <summary>
/// Writes one framed message into the transport. When the marshaller announces the length and nothing is
/// compressed, the payload goes straight into the transport's buffer; otherwise it is buffered once first.
/// </summary>
internal sealed class FramingSerializationContext : SerializationContext, IBufferWriter<byte>
{
    private IBufferWriter<byte>? _output;
    private ICompressionProvider? _compression;
    private int? _maxSendSize;
    private ArrayBufferWriter<byte>? _buffer;
    private bool _direct;
    private int _expected;
    private int _written;
    private bool _completed;

    public void Initialize(IBufferWriter<byte> output, ICompressionProvider? compression, int? maxSendSize)
    {
        _output = output;
        _compression = compression;
        _maxSendSize = maxSendSize;
        _direct = false;
        _expected = -1;
        _written = 0;
        _completed = false;
        _buffer?.ResetWrittenCount();
    }

    /// <summary>The framed size of the last message (header included), for flow decisions.</summary>
    public int LastFrameLength { get; private set; }

    /// <summary>Bytes held by the internal buffer used for compression and non-direct marshallers, so owners can drop big ones.</summary>
    public int BufferCapacity => _buffer?.Capacity ?? 0;

    public override void SetPayloadLength(int payloadLength)
    {
        CheckSendLimit(payloadLength);
        _expected = payloadLength;
        if (_compression is null)
        {
            MessageFraming.WriteHeader(_output!, compressed: false, payloadLength);
            _direct = true;
        }
    }

    public override IBufferWriter<byte> GetBufferWriter()
    {
        if (_direct)
        {
            return this;
        }

        _buffer ??= new ArrayBufferWriter<byte>(4096);
        return _buffer;
    }

    public override void Complete(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_direct)
        {
            // SetPayloadLength already wrote the frame header: the payload must match it and follows as is.
            if (payload.Length != _expected)
            {
                throw new InvalidOperationException($"The marshaller announced {_expected} bytes but completed with {payload.Length}.");
            }

            _output!.Write(payload);
            LastFrameLength = GrpcProtocol.HeaderSize + payload.Length;
            _completed = true;
            return;
        }

        CheckSendLimit(payload.Length);
        WriteBuffered(payload);
        _completed = true;
    }

    public override void Complete()
    {
        if (_direct)
        {
            if (_written != _expected)
            {
                throw new InvalidOperationException($"The marshaller announced {_expected} bytes but wrote {_written}.");
            }

            LastFrameLength = GrpcProtocol.HeaderSize + _written;
        }
        else
        {
            var payload = _buffer is null ? ReadOnlySpan<byte>.Empty : _buffer.WrittenSpan;
            CheckSendLimit(payload.Length);
            WriteBuffered(payload);
        }

        _completed = true;
    }

    public void EnsureCompleted()
    {
        if (!_completed)
        {
            throw new InvalidOperationException("The marshaller did not complete the message.");
        }
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        _written += count;
        _output!.Advance(count);
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => _output!.GetMemory(sizeHint);

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => _output!.GetSpan(sizeHint);

    private void WriteBuffered(ReadOnlySpan<byte> payload)
    {
        var compressed = false;
        if (_compression is not null)
        {
            payload = MessageFraming.Compress(payload, _compression);
            compressed = true;
        }

        MessageFraming.WriteHeader(_output!, compressed, payload.Length);
        _output!.Write(payload);
        LastFrameLength = GrpcProtocol.HeaderSize + payload.Length;
    }

    private void CheckSendLimit(int length)
    {
        if (_maxSendSize is { } max && length > max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, MessageFraming.SendLimitMessage));
        }
    }
}
