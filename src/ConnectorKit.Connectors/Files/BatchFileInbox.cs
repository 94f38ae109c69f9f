using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using ConnectorKit.Connectors.Files.Internal;

namespace ConnectorKit.Connectors.Files;

/// <summary>Where an inbox reads from and puts files once it is done with them.</summary>
public sealed class BatchFileInboxOptions
{
    /// <summary>Where the sender drops files and their done-markers. Required.</summary>
    public string InboxDirectory { get; set; } = string.Empty;

    /// <summary>Where bad files go, each with a <c>.reason</c> file. Required.</summary>
    public string QuarantineDirectory { get; set; } = string.Empty;

    /// <summary>Where applied files go. Required.</summary>
    public string ProcessedDirectory { get; set; } = string.Empty;

    /// <summary>The layouts files may use; any other (type, version) is quarantined.</summary>
    public IReadOnlyList<RecordLayout> Layouts { get; set; } = [];

    /// <summary>When set, a file addressed to another receiver is quarantined.</summary>
    public string? ExpectedReceiver { get; set; }
}

/// <summary>The outcome of opening one inbox file: the checked file, or why it was quarantined.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes: with the name, it tells a re-delivery from a corrected file.</param>
public sealed record InboxFile(string FileName, ParsedBatchFile? File, string? QuarantineReason, string? Sha256 = null)
{
    public bool Quarantined => QuarantineReason is not null;
}

/// <summary>
/// Reads a drop directory: only files whose done-marker exists are ready (a file without one is still being
/// written: it waits). <see cref="Open"/> checks a whole file (name, done-marker checksum, header against name,
/// layout, every record, trailer count and total) before handing back anything, and moves a file that fails to
/// the quarantine directory with a reason file, so a bad file is never half applied.
/// </summary>
public sealed class BatchFileInbox
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly IFileSystem _fileSystem;
    private readonly BatchFileInboxOptions _options;
    private readonly TimeProvider _time;

    public BatchFileInbox(IFileSystem fileSystem, BatchFileInboxOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.InboxDirectory, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.QuarantineDirectory, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.ProcessedDirectory, nameof(options));
        _fileSystem = fileSystem;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Names of the data files whose done-marker exists, by name (so by date, type and sequence).</summary>
    public IReadOnlyList<string> ListReady()
    {
        if (!_fileSystem.Directory.Exists(_options.InboxDirectory))
        {
            return [];
        }

        return _fileSystem.Directory.GetFiles(_options.InboxDirectory, "*" + BatchFileName.DoneSuffix)
            .Select(marker => _fileSystem.Path.GetFileName(marker)[..^BatchFileName.DoneSuffix.Length])
            .Where(name => !name.StartsWith('.') && _fileSystem.File.Exists(_fileSystem.Path.Combine(_options.InboxDirectory, name)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads and checks a ready file; a file that fails any check is quarantined before this returns.</summary>
    public InboxFile Open(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        try
        {
            var (file, sha) = Check(fileName);
            return new InboxFile(fileName, file, null, sha);
        }
        catch (BatchFileFormatException ex)
        {
            Quarantine(fileName, ex.Message);
            return new InboxFile(fileName, null, ex.Message);
        }
    }

    /// <summary>Moves a file and its done-marker to the processed directory; a name already there gets a time suffix.</summary>
    public void Complete(string fileName) => MoveOut(fileName, _options.ProcessedDirectory);

    /// <summary>
    /// Moves a file and its done-marker to the quarantine directory next to <c>{file}.reason</c>. The reason is
    /// written first, so a crash midway leaves a reason beside the file or the file still in the inbox, never a
    /// quarantined file without its reason.
    /// </summary>
    public void Quarantine(string fileName, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        _fileSystem.Directory.CreateDirectory(_options.QuarantineDirectory);
        var at = _time.GetUtcNow();
        var reasonPath = _fileSystem.Path.Combine(_options.QuarantineDirectory, fileName + ".reason");
        if (_fileSystem.File.Exists(reasonPath))
        {
            reasonPath += "." + Suffix(at);
        }

        AtomicFile.Write(_fileSystem, reasonPath, Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{at:O} {fileName}: {reason}\n")));
        MoveOut(fileName, _options.QuarantineDirectory);
    }

    private (ParsedBatchFile File, string Sha256) Check(string fileName)
    {
        if (!BatchFileName.TryParse(fileName, out var name) || name is null)
        {
            throw new BatchFileFormatException($"'{fileName}' is not named sender_receiver_yyyyMMdd_TYPE_seq.txt");
        }

        var path = _fileSystem.Path.Combine(_options.InboxDirectory, fileName);
        var bytes = _fileSystem.File.ReadAllBytes(path);
        var marker = _fileSystem.File.ReadAllText(path + BatchFileName.DoneSuffix).Trim();
        var sha = AtomicFile.Sha256Hex(bytes);
        if (marker.Length > 0 && !string.Equals(marker, sha, StringComparison.OrdinalIgnoreCase))
        {
            throw new BatchFileFormatException("the SHA-256 in the done-marker does not match the file: it changed after it was marked done");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new BatchFileFormatException("the file is not valid UTF-8");
        }

        var file = BatchFileCodec.Read(text, _options.Layouts);
        var header = file.Header;
        if (header.Sender != name.Sender || header.Receiver != name.Receiver || header.BusinessDate != name.BusinessDate || header.FileType != name.FileType)
        {
            throw new BatchFileFormatException("the header's sender, receiver, date or type differs from the file name", 1);
        }

        if (_options.ExpectedReceiver is { } receiver && header.Receiver != receiver)
        {
            throw new BatchFileFormatException($"the file is addressed to '{header.Receiver}', not '{receiver}'", 1);
        }

        return (file, sha);
    }

    private void MoveOut(string fileName, string directory)
    {
        var suffix = Suffix(_time.GetUtcNow());
        var path = _fileSystem.Path.Combine(_options.InboxDirectory, fileName);
        if (_fileSystem.File.Exists(path))
        {
            AtomicFile.MoveKeepingBoth(_fileSystem, path, directory, suffix);
        }

        // The data goes first: a crash in between leaves a marker without its file, which ListReady never lists.
        var marker = path + BatchFileName.DoneSuffix;
        if (_fileSystem.File.Exists(marker))
        {
            AtomicFile.MoveKeepingBoth(_fileSystem, marker, directory, suffix);
        }
    }

    private static string Suffix(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture);
}
