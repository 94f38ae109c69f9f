using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace ConnectorKit.Grpc.Internal;

/// <summary>
/// The body of a unary or server-streaming request: one message, framed before the request is sent so the
/// send limit is enforced with nothing on the wire. The framed bytes live in a pooled array that goes back to
/// the pool only when the content is disposed and no write is in flight (the handler may still be writing
/// when the response has already ended, or may write again when it retries on a fresh connection).
/// </summary>
internal sealed class UnaryRequestContent : HttpContent
{
    private byte[]? _buffer;
    private readonly int _length;

    // One reference for the owner plus one per serialization in flight; the array is returned at zero.
    private int _references = 1;
    private int _disposed;

    public UnaryRequestContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!TryAcquire())
        {
            throw new ObjectDisposedException(nameof(UnaryRequestContent));
        }

        try
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        // gRPC bodies carry no content-length; the frame headers delimit the messages.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    private bool TryAcquire()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0 && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// The body of a client-streaming or duplex request. When the handler starts sending the body it hands over
/// the stream; the call then writes framed messages into a <see cref="PipeWriter"/> over it as the caller
/// writes, and each flush waits for HTTP/2 flow control, which is the caller's back-pressure. The body ends
/// (END_STREAM) when the caller completes the request stream; it is aborted (RST_STREAM) when the call ends first.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 16 * 1024, leaveOpen: true);

    private readonly TaskCompletionSource<PipeWriter> _writer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent() => Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);

    /// <summary>Completes with the writer once the handler starts the body; cancelled if the call ends first.</summary>
    public Task<PipeWriter> WriterTask => _writer.Task;

    /// <summary>Ends the body after what has been written (half-close).</summary>
    public void Complete() => _completion.TrySetResult();

    /// <summary>Ends the body without a half-close, so the handler resets the stream if it is still open.</summary>
    public void Abort()
    {
        _writer.TrySetCanceled();
        _completion.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var writer = PipeWriter.Create(stream, WriterOptions);
        if (!_writer.TrySetResult(writer))
        {
            // Aborted before the body started, or a second attempt after a retry: a stream of messages cannot be replayed.
            throw new OperationCanceledException("The request stream was aborted.");
        }

        using (cancellationToken.UnsafeRegister(static state => ((StreamingRequestContent)state!).Abort(), this))
        {
            await _completion.Task.ConfigureAwait(false);
        }

        // The caller has completed and no write is in flight: flush what BufferHint writes left behind.
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Abort();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A growable buffer on <see cref="ArrayPool{T}.Shared"/> whose array can be handed to its next owner.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumGrowth = 256;

    private byte[] _array = [];
    private int _written;

    public void Reset(int initialSize)
    {
        _array = ArrayPool<byte>.Shared.Rent(initialSize);
        _written = 0;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _array.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    /// <summary>Gives the array and its written length away; the writer holds nothing afterwards.</summary>
    public byte[] Detach(out int length)
    {
        var array = _array;
        length = _written;
        _array = [];
        _written = 0;
        return array;
    }

    /// <summary>Returns the array to the pool, e.g. after a failed serialization.</summary>
    public void Release()
    {
        var array = Detach(out _);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < MinimumGrowth)
        {
            sizeHint = MinimumGrowth;
        }

        if (_array.Length - _written >= sizeHint)
        {
            return;
        }

        var size = Math.Max(_array.Length * 2, _written + sizeHint);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, _written).CopyTo(bigger);
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
