using System.IO.Abstractions;
using System.Security.Cryptography;

namespace ConnectorKit.Connectors.Files.Internal;

/// <summary>Whole-file writes that a crash leaves either absent, or complete and on disk, never half written.</summary>
internal static class AtomicFile
{
    public static void Write(IFileSystem fileSystem, string path, byte[] bytes)
    {
        var directory = fileSystem.Path.GetDirectoryName(path) ?? ".";
        // A leading dot and a suffix no reader lists: a half-written temporary file is never taken for a batch file.
        var temporary = fileSystem.Path.Combine(directory, "." + fileSystem.Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var stream = fileSystem.FileStream.Create(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                FlushToDisk(stream);
            }

            fileSystem.File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (fileSystem.File.Exists(temporary))
            {
                fileSystem.File.Delete(temporary);
            }
        }
    }

    /// <summary>Flushes past the OS cache where the stream is a real file; other file systems (in-memory) have no disk.</summary>
    public static void FlushToDisk(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Moves a file, adding a suffix when the target name is taken so nothing already there is lost.</summary>
    public static string MoveKeepingBoth(IFileSystem fileSystem, string source, string targetDirectory, string suffix)
    {
        fileSystem.Directory.CreateDirectory(targetDirectory);
        var target = fileSystem.Path.Combine(targetDirectory, fileSystem.Path.GetFileName(source));
        if (fileSystem.File.Exists(target))
        {
            target += "." + suffix;
        }

        fileSystem.File.Move(source, target);
        return target;
    }
}
