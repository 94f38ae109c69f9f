using System.Globalization;
using System.Text;

namespace ConnectorKit.Connectors.Files;

/// <summary>
/// Writes and reads the batch-file text: a header line, one line per record, a trailer line
/// <c>T|count|amount total</c>, each ended by '\n'. Reading checks the whole file before returning anything, so a
/// caller never sees part of a bad file.
/// </summary>
public static class BatchFileCodec
{
    private const string DateFormat = "yyyyMMdd";
    private const string TimestampFormat = "yyyyMMddHHmmss";

    /// <summary>The text of a file of <paramref name="layout"/> holding <paramref name="records"/> (values in layout order).</summary>
    /// <exception cref="ArgumentException">A value does not fit its field (too long, wrong kind, holds the delimiter or a line break).</exception>
    public static BatchFileContent Write(RecordLayout layout, string sender, string receiver, DateOnly businessDate, IEnumerable<IReadOnlyList<string>> records)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(records);
        CheckParty(sender, nameof(sender));
        CheckParty(receiver, nameof(receiver));

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"H|{BatchFileHeader.Marker}|{layout.Version}|{sender}|{receiver}|{businessDate.ToString(DateFormat, CultureInfo.InvariantCulture)}|{layout.FileType}|{layout.FieldList}\n");
        var count = 0;
        var total = 0L;
        var amountIndex = layout.AmountField is null ? -1 : layout.IndexOf(layout.AmountField);
        foreach (var values in records)
        {
            count++;
            if (values.Count != layout.Fields.Count)
            {
                throw new ArgumentException($"Record {count} has {values.Count} values; layout {layout.FileType} has {layout.Fields.Count} fields.", nameof(records));
            }

            text.Append('D');
            for (var i = 0; i < values.Count; i++)
            {
                var field = layout.Fields[i];
                var value = values[i] ?? string.Empty;
                if (Check(field, value, layout.Delimiter) is { } problem)
                {
                    throw new ArgumentException($"Record {count}, field {field.Name}: {problem}", nameof(records));
                }

                if (layout.Format == RecordFormat.Delimited)
                {
                    text.Append(layout.Delimiter).Append(value);
                }
                else if (field.Kind is FieldKind.Digits or FieldKind.Amount && value.Length > 0)
                {
                    text.Append(value.PadLeft(field.Width, '0'));
                }
                else
                {
                    text.Append(value.PadRight(field.Width, ' '));
                }
            }

            text.Append('\n');
            if (amountIndex >= 0 && values[amountIndex].Length > 0)
            {
                total = checked(total + long.Parse(values[amountIndex], NumberStyles.None, CultureInfo.InvariantCulture));
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"T|{count:D10}|{total:D18}\n");
        return new BatchFileContent(text.ToString(), count, total);
    }

    /// <summary>Parses and checks a whole file against the layout its header names.</summary>
    /// <exception cref="BatchFileFormatException">
    /// No header or trailer, an unknown (type, version), a field list other than the layout's, a record that does not
    /// parse, or a record count or amount total other than the trailer's. The message says which and where.
    /// </exception>
    public static ParsedBatchFile Read(string text, IEnumerable<RecordLayout> layouts)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(layouts);
        if (text.Length == 0)
        {
            throw new BatchFileFormatException("the file is empty");
        }

        if (!text.EndsWith('\n'))
        {
            throw new BatchFileFormatException("the file does not end with a line break: it is truncated");
        }

        var lines = text[..^1].Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].EndsWith('\r'))
            {
                lines[i] = lines[i][..^1];
            }
        }

        var header = ReadHeader(lines[0]);
        var layout = layouts.FirstOrDefault(l => l.FileType == header.FileType && l.Version == header.Version)
            ?? throw new BatchFileFormatException($"unknown layout: type {header.FileType} version {header.Version}", 1);
        if (header.FieldList != layout.FieldList)
        {
            throw new BatchFileFormatException($"the header's field list differs from layout {layout.FileType} v{layout.Version}: '{header.FieldList}' instead of '{layout.FieldList}'", 1);
        }

        if (lines.Length < 2 || !lines[^1].StartsWith("T|", StringComparison.Ordinal))
        {
            throw new BatchFileFormatException("the last line is not a trailer: the file is incomplete", lines.Length);
        }

        var trailer = lines[^1].Split('|');
        if (trailer.Length != 3
            || !long.TryParse(trailer[1], NumberStyles.None, CultureInfo.InvariantCulture, out var statedCount)
            || !long.TryParse(trailer[2], NumberStyles.None, CultureInfo.InvariantCulture, out var statedTotal))
        {
            throw new BatchFileFormatException("the trailer is not T|count|total with digits only", lines.Length);
        }

        var amountIndex = layout.AmountField is null ? -1 : layout.IndexOf(layout.AmountField);
        var records = new List<BatchFileRecord>(lines.Length - 2);
        var total = 0L;
        for (var i = 1; i < lines.Length - 1; i++)
        {
            var values = ReadRecord(lines[i], layout, i + 1);
            records.Add(new BatchFileRecord(i + 1, values, layout));
            if (amountIndex >= 0 && values[amountIndex].Length > 0)
            {
                try
                {
                    total = checked(total + long.Parse(values[amountIndex], NumberStyles.None, CultureInfo.InvariantCulture));
                }
                catch (OverflowException)
                {
                    throw new BatchFileFormatException("the amount total overflows a 64-bit count of fen", i + 1);
                }
            }
        }

        if (statedCount != records.Count)
        {
            throw new BatchFileFormatException($"the trailer states {statedCount} records; the file holds {records.Count}", lines.Length);
        }

        if (statedTotal != total)
        {
            throw new BatchFileFormatException($"the trailer states an amount total of {statedTotal}; the records sum to {total}", lines.Length);
        }

        return new ParsedBatchFile(header, layout, records, total);
    }

    private static BatchFileHeader ReadHeader(string line)
    {
        var parts = line.Split('|');
        if (parts.Length != 8 || parts[0] != "H" || parts[1] != BatchFileHeader.Marker)
        {
            throw new BatchFileFormatException($"the first line is not a header H|{BatchFileHeader.Marker}|version|sender|receiver|date|type|fields", 1);
        }

        if (!DateOnly.TryParseExact(parts[5], DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new BatchFileFormatException($"the header's business date '{parts[5]}' is not yyyyMMdd", 1);
        }

        return new BatchFileHeader(parts[2], parts[3], parts[4], date, parts[6], parts[7]);
    }

    private static string[] ReadRecord(string line, RecordLayout layout, int lineNumber)
    {
        if (!line.StartsWith('D'))
        {
            throw new BatchFileFormatException("a record line must start with 'D'", lineNumber);
        }

        string[] values;
        if (layout.Format == RecordFormat.Delimited)
        {
            var parts = line.Split(layout.Delimiter);
            if (parts[0] != "D" || parts.Length != layout.Fields.Count + 1)
            {
                throw new BatchFileFormatException($"expected {layout.Fields.Count} fields separated by '{layout.Delimiter}', found {parts.Length - 1}", lineNumber);
            }

            values = parts[1..];
        }
        else
        {
            if (line.Length != layout.RecordWidth)
            {
                throw new BatchFileFormatException($"a record of layout {layout.FileType} is {layout.RecordWidth} characters long; this one is {line.Length}", lineNumber);
            }

            values = new string[layout.Fields.Count];
            var position = 1;
            for (var i = 0; i < layout.Fields.Count; i++)
            {
                var field = layout.Fields[i];
                var raw = line.Substring(position, field.Width);
                position += field.Width;
                values[i] = raw.TrimEnd(' ');
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (Check(layout.Fields[i], values[i], layout.Delimiter) is { } problem)
            {
                throw new BatchFileFormatException($"field {layout.Fields[i].Name}: {problem}", lineNumber);
            }
        }

        return values;
    }

    private static string? Check(FieldSpec field, string value, char delimiter)
    {
        if (value.Length == 0)
        {
            return field.Optional ? null : "a value is required";
        }

        if (value.Length > field.Width)
        {
            return $"{value.Length} characters exceed the width of {field.Width}";
        }

        if (value.Contains(delimiter) || value.Contains('\n') || value.Contains('\r'))
        {
            return "the value holds the delimiter or a line break";
        }

        return field.Kind switch
        {
            FieldKind.Digits or FieldKind.Amount when !value.All(char.IsAsciiDigit) => $"'{value}' is not digits only",
            FieldKind.Amount when value.Length > 18 => "an amount has at most 18 digits",
            FieldKind.Date when !DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => $"'{value}' is not a date yyyyMMdd",
            FieldKind.Timestamp when !DateTime.TryParseExact(value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => $"'{value}' is not a timestamp yyyyMMddHHmmss",
            FieldKind.Text when value != value.TrimEnd(' ') => "text may not end with a space (it is padding)",
            _ => null,
        };
    }

    private static void CheckParty(string party, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(party, name);
        if (!party.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{party}' must be upper-case ASCII letters and digits: it is part of file names.", name);
        }
    }
}
