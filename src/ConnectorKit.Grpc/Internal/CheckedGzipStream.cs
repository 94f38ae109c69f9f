using System.Buffers.Binary;
using System.IO.Compression;

namespace ConnectorKit.Grpc.Internal;

/// <summary>
/// Decompresses one gzip member and, at its end, checks the CRC-32 and size from the gzip trailer. GZipStream alone
/// ends quietly on a truncated stream, which would hand a shortened message to the marshaller as if it were whole.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private const int TrailerSize = 8;
    private const int MinimumMemberSize = 18;
    private static readonly uint[] Table = BuildTable();

    private readonly GZipStream _inner;
    private readonly uint _expectedCrc;
    private readonly uint _expectedSize;
    private readonly bool _tooShort;
    private uint _crc = 0xFFFFFFFFu;
    private long _size;

    /// <summary>Needs a seekable input to read the trailer first; the gRPC runtime always passes a whole buffered payload.</summary>
    public CheckedGzipStream(Stream input)
    {
        var start = input.Position;
        var length = input.Length - start;
        _tooShort = length < MinimumMemberSize;
        if (!_tooShort)
        {
            Span<byte> trailer = stackalloc byte[TrailerSize];
            input.Position = input.Length - TrailerSize;
            input.ReadExactly(trailer);
            input.Position = start;
            _expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            _expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        }

        _inner = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_tooShort)
        {
            throw new InvalidDataException("The gzip stream is shorter than a gzip header and trailer.");
        }

        var read = _inner.Read(buffer);
        if (read > 0)
        {
            Update(buffer[..read]);
            return read;
        }

        if (buffer.Length > 0 && ((_crc ^ 0xFFFFFFFFu) != _expectedCrc || (uint)_size != _expectedSize))
        {
            throw new InvalidDataException("The gzip stream is truncated or corrupt: its CRC-32 or size does not match its trailer.");
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Update(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        _crc = crc;
        _size += data.Length;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
