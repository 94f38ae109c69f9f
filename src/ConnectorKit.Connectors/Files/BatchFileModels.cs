namespace ConnectorKit.Connectors.Files;

/// <summary>The header line: <c>H|marker|version|sender|receiver|yyyyMMdd|type|field list</c>.</summary>
public sealed record BatchFileHeader(string Version, string Sender, string Receiver, DateOnly BusinessDate, string FileType, string FieldList)
{
    /// <summary>The marker every header starts with after <c>H|</c>; a file without it is not a batch file of this format.</summary>
    public const string Marker = "CKBF";
}

/// <summary>One data record, its values in layout order with padding removed.</summary>
/// <param name="LineNumber">1-based line in the file (the header is line 1), for signal keys and error reports.</param>
public sealed record BatchFileRecord(int LineNumber, IReadOnlyList<string> Values, RecordLayout Layout)
{
    /// <summary>The value of a field by name.</summary>
    /// <exception cref="KeyNotFoundException">The layout has no such field.</exception>
    public string this[string fieldName]
        => Layout.IndexOf(fieldName) is var i and >= 0 ? Values[i] : throw new KeyNotFoundException($"Layout {Layout.FileType} v{Layout.Version} has no field '{fieldName}'.");

    /// <summary>A Digits or Amount field as a number.</summary>
    public long Number(string fieldName) => this[fieldName] is { Length: > 0 } text ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
}

/// <summary>A whole file that passed every check: header, layout, each record, and the trailer's count and total.</summary>
/// <param name="AmountTotal">Sum of the layout's amount field in minor units (fen).</param>
public sealed record ParsedBatchFile(BatchFileHeader Header, RecordLayout Layout, IReadOnlyList<BatchFileRecord> Records, long AmountTotal);

/// <summary>A file's text as written, with the figures its trailer states.</summary>
public sealed record BatchFileContent(string Text, int RecordCount, long AmountTotal);

/// <summary>A file that failed a check; <see cref="Exception.Message"/> is the reason written next to a quarantined file.</summary>
public sealed class BatchFileFormatException : Exception
{
    public BatchFileFormatException(string message, int? lineNumber = null)
        : base(lineNumber is { } line ? $"line {line}: {message}" : message)
    {
        LineNumber = lineNumber;
    }

    /// <summary>The offending line, when one is to blame.</summary>
    public int? LineNumber { get; }
}
