using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using System.Text.Json;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Grpc;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>A spool sealed at a cut-off, named after the request file it becomes.</summary>
internal sealed record SealedSpool(string Path, BatchFileName FileName);

/// <summary>
/// Append-only spool of accepted requests, one file per request type. An append is on disk before the platform
/// hears OK; a cut-off renames the current spool to a sealed one (atomic), so later appends start a new spool and
/// the sealed one can be turned into a file at leisure, again after a crash.
/// </summary>
internal sealed class RequestSpool
{
    private const string CurrentPrefix = "current-";
    private const string SealedPrefix = "sealed-";
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly IFileSystem _fileSystem;
    private readonly string _directory;
    private readonly Lock _lock = new();

    // Keys spooled by this process into the current spool and the one sealed before it, per file type. Two calls of
    // one request that both found it new (concurrent duplicates) append within moments of each other; were a cut-off
    // to fall between them, the record would go to the bank in two files. Two spools back is ample for calls in flight.
    private readonly Dictionary<string, (HashSet<string> Current, HashSet<string> Previous)> _recentKeys = new(StringComparer.Ordinal);

    public RequestSpool(IFileSystem fileSystem, IOptions<BatchFileOptions> options)
    {
        _fileSystem = fileSystem;
        _directory = fileSystem.Path.Combine(options.Value.StateDirectory, "spool");
    }

    /// <summary>
    /// Appends one record and flushes it to disk. <paramref name="key"/> identifies it: a repeat in the same spool is
    /// written once into the file, and a repeat this process already spooled before the last cut-off is not spooled again.
    /// </summary>
    public void Append(RecordLayout layout, string key, IReadOnlyList<string> values)
    {
        // A record the layout cannot carry is refused now, while the platform can still hear why, not at the cut-off.
        try
        {
            BatchFileCodec.Write(layout, "CHECK", "CHECK", DateOnly.MinValue, [values]);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The bank's {layout.FileType} file cannot carry this request: {ex.Message}"));
        }

        var line = JsonSerializer.Serialize(new SpoolLine(key, [.. values])) + "\n";
        var bytes = Utf8.GetBytes(line);
        lock (_lock)
        {
            var recent = RecentKeys(layout);
            if (recent.Previous.Contains(key))
            {
                return;
            }

            _fileSystem.Directory.CreateDirectory(_directory);
            using var stream = _fileSystem.FileStream.Create(Current(layout), FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(bytes);
            if (stream is FileStream file)
            {
                file.Flush(flushToDisk: true);
            }
            else
            {
                stream.Flush();
            }

            recent.Current.Add(key);
        }
    }

    /// <summary>Seals the current spool of <paramref name="layout"/> as the source of <paramref name="name"/>; false when it holds nothing.</summary>
    public bool Seal(RecordLayout layout, BatchFileName name)
    {
        lock (_lock)
        {
            var current = Current(layout);
            if (!_fileSystem.File.Exists(current) || _fileSystem.FileInfo.FromFileName(current).Length == 0)
            {
                return false;
            }

            _fileSystem.File.Move(current, _fileSystem.Path.Combine(_directory, SealedPrefix + name));
            var recent = RecentKeys(layout);
            _recentKeys[layout.FileType] = (new HashSet<string>(StringComparer.Ordinal), recent.Current);
            return true;
        }
    }

    /// <summary>Sealed spools not yet retired, oldest file name first; a crash may have left some from an earlier cut-off.</summary>
    public IReadOnlyList<SealedSpool> Sealed()
    {
        if (!_fileSystem.Directory.Exists(_directory))
        {
            return [];
        }

        return _fileSystem.Directory.GetFiles(_directory, SealedPrefix + "*")
            .Select(p => (Path: p, Ok: BatchFileName.TryParse(_fileSystem.Path.GetFileName(p)[SealedPrefix.Length..], out var n), Name: n))
            .Where(x => x.Ok)
            .Select(x => new SealedSpool(x.Path, x.Name!))
            .OrderBy(s => s.FileName.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The records of a sealed spool, each key once (the first), in order. A last line without its line break was
    /// cut short by a crash before its append returned, so the platform was never told OK for it: it is dropped.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Read(SealedSpool spool)
    {
        var text = Utf8.GetString(_fileSystem.File.ReadAllBytes(spool.Path));
        var complete = text.LastIndexOf('\n') is var end and >= 0 ? text[..end] : string.Empty;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<IReadOnlyList<string>>();
        foreach (var line in complete.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var entry = JsonSerializer.Deserialize<SpoolLine>(line)
                ?? throw new InvalidDataException($"Spool {spool.Path} holds an empty line.");
            if (seen.Add(entry.Key))
            {
                records.Add(entry.Values);
            }
        }

        return records;
    }

    /// <summary>Highest sequence any sealed spool holds for this date and type (0 when none).</summary>
    public int MaxSealedSequence(DateOnly date, string fileType)
        => Sealed().Where(s => s.FileName.BusinessDate == date && s.FileName.FileType == fileType).Select(s => s.FileName.Sequence).DefaultIfEmpty(0).Max();

    public void Retire(SealedSpool spool) => _fileSystem.File.Delete(spool.Path);

    private (HashSet<string> Current, HashSet<string> Previous) RecentKeys(RecordLayout layout)
    {
        if (!_recentKeys.TryGetValue(layout.FileType, out var recent))
        {
            recent = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
            _recentKeys[layout.FileType] = recent;
        }

        return recent;
    }

    private string Current(RecordLayout layout) => _fileSystem.Path.Combine(_directory, CurrentPrefix + layout.FileType + ".jsonl");

    internal static string Timestamp(DateTimeOffset at, TimeSpan offset)
        => at.ToOffset(offset).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private sealed record SpoolLine(string Key, string[] Values);
}
