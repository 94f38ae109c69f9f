using System.IO.Abstractions;
using ConnectorKit.Connectors.Files.Internal;

namespace ConnectorKit.Connectors.Files;

/// <summary>Writes a whole small file (a marker, a manifest, a connector's own state) so a crash leaves it absent or complete, never partial.</summary>
public static class AtomicFileWriter
{
    /// <summary>Writes under a temporary name in the same directory, flushes to disk, then renames over <paramref name="path"/>.</summary>
    public static void Write(IFileSystem fileSystem, string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(bytes);
        AtomicFile.Write(fileSystem, path, bytes);
    }
}
