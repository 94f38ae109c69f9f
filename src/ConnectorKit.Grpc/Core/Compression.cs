using System.IO.Compression;

namespace ConnectorKit.Grpc;

/// <summary>A message compression algorithm, named as in <c>grpc-encoding</c>.</summary>
public interface ICompressionProvider
{
    /// <summary>The encoding name, e.g. <c>gzip</c>.</summary>
    string EncodingName { get; }

    /// <summary>A stream that compresses what is written to it into <paramref name="output"/>.</summary>
    Stream CreateCompressionStream(Stream output, CompressionLevel? compressionLevel);

    /// <summary>A stream that decompresses <paramref name="input"/>.</summary>
    Stream CreateDecompressionStream(Stream input);
}

/// <summary>gzip (RFC 1952).</summary>
public sealed class GzipCompressionProvider : ICompressionProvider
{
    public GzipCompressionProvider(CompressionLevel defaultCompressionLevel = CompressionLevel.Fastest) => DefaultCompressionLevel = defaultCompressionLevel;

    public string EncodingName => "gzip";

    public CompressionLevel DefaultCompressionLevel { get; }

    public Stream CreateCompressionStream(Stream output, CompressionLevel? compressionLevel)
        => new GZipStream(output, compressionLevel ?? DefaultCompressionLevel, leaveOpen: true);

    /// <summary>
    /// For a seekable <paramref name="input"/> (as the runtime passes), the stream checks the gzip trailer and throws
    /// <see cref="InvalidDataException"/> when the data is truncated or corrupt.
    /// </summary>
    public Stream CreateDecompressionStream(Stream input)
        => input.CanSeek ? new Internal.CheckedGzipStream(input) : new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
}
