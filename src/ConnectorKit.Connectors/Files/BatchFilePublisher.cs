using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using ConnectorKit.Connectors.Files.Internal;

namespace ConnectorKit.Connectors.Files;

/// <summary>A file as published: where it is and what the receiver can check it by.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the data file's bytes, also the done-marker's content.</param>
/// <param name="AlreadyPublished">True when an identical file was already there: nothing was written but the index.</param>
public sealed record PublishedBatchFile(BatchFileName Name, string Path, int RecordCount, long AmountTotal, string Sha256, bool AlreadyPublished);

/// <summary>
/// Publishes batch files into a drop directory so a reader never sees a partial one: the data is written under a
/// temporary name and flushed to disk, renamed to its final name, then the done-marker (holding the SHA-256) is
/// written the same way, then the day's index is rewritten. Publishing the same name and content again is a no-op,
/// which makes a publication retried after a crash safe.
/// </summary>
public sealed class BatchFilePublisher(IFileSystem fileSystem)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="content"/> as <paramref name="name"/> into <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="IOException">A complete file of that name with other content is already published; it is never replaced.</exception>
    public PublishedBatchFile Publish(string directory, BatchFileName name, BatchFileContent content)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(content);
        fileSystem.Directory.CreateDirectory(directory);

        var bytes = Utf8.GetBytes(content.Text);
        var sha = AtomicFile.Sha256Hex(bytes);
        var path = fileSystem.Path.Combine(directory, name.ToString());
        var marker = fileSystem.Path.Combine(directory, name.DoneMarker);
        var existing = fileSystem.File.Exists(path) ? AtomicFile.Sha256Hex(fileSystem.File.ReadAllBytes(path)) : null;
        var complete = existing is not null && fileSystem.File.Exists(marker);
        if (complete && existing != sha)
        {
            throw new IOException($"'{name}' is already published with other content (SHA-256 {existing}); a published file is never replaced.");
        }

        if (existing != sha)
        {
            // Absent, or left without its marker by a crash: never announced, so it may be replaced.
            AtomicFile.Write(fileSystem, path, bytes);
        }

        if (!complete)
        {
            AtomicFile.Write(fileSystem, marker, Utf8.GetBytes(sha + "\n"));
        }

        UpdateIndex(directory, name, content, sha);
        return new PublishedBatchFile(name, path, content.RecordCount, content.AmountTotal, sha, AlreadyPublished: complete);
    }

    /// <summary>The day's index entries: <c>file name|type|record count|amount total|sha256</c>, one per published file.</summary>
    public IReadOnlyList<string> ReadIndex(string directory, BatchFileName anyFileOfTheDay)
    {
        ArgumentNullException.ThrowIfNull(anyFileOfTheDay);
        var path = fileSystem.Path.Combine(directory, anyFileOfTheDay.IndexName);
        return fileSystem.File.Exists(path)
            ? fileSystem.File.ReadAllLines(path, Utf8).Where(l => l.Length > 0).ToList()
            : [];
    }

    private void UpdateIndex(string directory, BatchFileName name, BatchFileContent content, string sha)
    {
        var entry = string.Create(CultureInfo.InvariantCulture, $"{name}|{name.FileType}|{content.RecordCount}|{content.AmountTotal}|{sha}");
        var entries = ReadIndex(directory, name).Where(l => !l.StartsWith(name + "|", StringComparison.Ordinal)).Append(entry).Order(StringComparer.Ordinal).ToList();
        AtomicFile.Write(fileSystem, fileSystem.Path.Combine(directory, name.IndexName), Utf8.GetBytes(string.Join('\n', entries) + "\n"));
    }
}
