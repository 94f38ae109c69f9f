using System.Globalization;

namespace ConnectorKit.Connectors.Files;

/// <summary>How the data records of a batch file are laid out; header and trailer are always '|'-delimited.</summary>
public enum RecordFormat
{
    /// <summary>Each field padded to its width (text left-aligned with spaces, numbers right-aligned with zeros).</summary>
    FixedWidth,

    /// <summary>Fields separated by <see cref="RecordLayout.Delimiter"/>; width is the maximum length.</summary>
    Delimited,
}

/// <summary>What a field holds; it decides padding and what the reader accepts.</summary>
public enum FieldKind
{
    /// <summary>Any characters but the delimiter and line breaks; trailing spaces are padding.</summary>
    Text,

    /// <summary>ASCII digits only, e.g. a count, basis points or a code; zero-padded when fixed-width.</summary>
    Digits,

    /// <summary>A non-negative amount in minor units (fen) as ASCII digits; summed into the trailer total when it is the layout's amount field.</summary>
    Amount,

    /// <summary><c>yyyyMMdd</c>.</summary>
    Date,

    /// <summary><c>yyyyMMddHHmmss</c>, in the business time zone both sides agreed on.</summary>
    Timestamp,
}

/// <summary>One field of a record layout.</summary>
/// <param name="Width">Characters (UTF-16 code units) the field takes when fixed-width; the maximum length when delimited.</param>
/// <param name="Optional">Whether an empty value is allowed.</param>
public sealed record FieldSpec(string Name, int Width, FieldKind Kind, bool Optional = false);

/// <summary>
/// The layout of one file type and version. A reader matches a file to a layout by the (type, version) of its
/// header and then requires the header's field list to equal <see cref="FieldList"/>, so a bank that changes a
/// layout without changing its version is caught before any record is read.
/// </summary>
public sealed class RecordLayout
{
    public RecordLayout(string fileType, string version, RecordFormat format, IReadOnlyList<FieldSpec> fields, string? amountField = null, char delimiter = '|')
    {
        ArgumentException.ThrowIfNullOrEmpty(fileType);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new ArgumentException("A layout has at least one field.", nameof(fields));
        }

        if (!fileType.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"File type '{fileType}' must be upper-case ASCII letters and digits: it is part of file names.", nameof(fileType));
        }

        if (delimiter is '\r' or '\n' or ',' or ':')
        {
            throw new ArgumentException("The delimiter may not be a line break, ',' or ':' (they separate the header's field list).", nameof(delimiter));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (field.Width <= 0 || string.IsNullOrEmpty(field.Name) || field.Name.Any(c => c is ',' or ':' or '|') || !names.Add(field.Name))
            {
                throw new ArgumentException($"Field '{field.Name}' needs a unique name without ',', ':' or '|' and a positive width.", nameof(fields));
            }
        }

        if (amountField is not null && fields.FirstOrDefault(f => f.Name == amountField)?.Kind != FieldKind.Amount)
        {
            throw new ArgumentException($"Amount field '{amountField}' must be a field of kind Amount.", nameof(amountField));
        }

        FileType = fileType;
        Version = version;
        Format = format;
        Fields = fields;
        AmountField = amountField;
        Delimiter = delimiter;
        FieldList = string.Join(',', fields.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Name}:{f.Width}:{Code(f.Kind)}")));
        RecordWidth = 1 + fields.Sum(f => f.Width);
    }

    /// <summary>Upper-case type code, as in file names, e.g. <c>DECISIONS</c>.</summary>
    public string FileType { get; }

    public string Version { get; }

    public RecordFormat Format { get; }

    public IReadOnlyList<FieldSpec> Fields { get; }

    /// <summary>The field whose values the trailer totals; null: the trailer total is 0.</summary>
    public string? AmountField { get; }

    public char Delimiter { get; }

    /// <summary>The header's description of the fields: <c>name:width:kind</c> joined by ','.</summary>
    public string FieldList { get; }

    /// <summary>Length of a fixed-width record line: the record marker 'D' plus every field's width.</summary>
    public int RecordWidth { get; }

    /// <summary>The position of a field, or -1.</summary>
    public int IndexOf(string fieldName)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == fieldName)
            {
                return i;
            }
        }

        return -1;
    }

    internal static string Code(FieldKind kind) => kind switch
    {
        FieldKind.Text => "C",
        FieldKind.Digits => "N",
        FieldKind.Amount => "A",
        FieldKind.Date => "D",
        FieldKind.Timestamp => "T",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
