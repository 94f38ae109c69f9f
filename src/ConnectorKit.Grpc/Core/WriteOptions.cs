namespace ConnectorKit.Grpc;

/// <summary>Hints for writing one message.</summary>
[Flags]
public enum WriteFlags
{
    /// <summary>The write may be buffered rather than flushed at once.</summary>
    BufferHint = 0x1,

    /// <summary>Send this message uncompressed even if the call compresses.</summary>
    NoCompress = 0x2,
}

/// <summary>Options for writing messages on a call.</summary>
public sealed class WriteOptions
{
    /// <summary>No flags.</summary>
    public static readonly WriteOptions Default = new();

    public WriteOptions(WriteFlags flags = default) => Flags = flags;

    public WriteFlags Flags { get; }
}
