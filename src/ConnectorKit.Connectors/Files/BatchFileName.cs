using System.Globalization;
using System.Text.RegularExpressions;

namespace ConnectorKit.Connectors.Files;

/// <summary>
/// A batch file's name: <c>{sender}_{receiver}_{yyyyMMdd}_{type}_{sequence:000}.txt</c>, its done-marker the same
/// name plus <c>.done</c>, and the day's index <c>{sender}_{receiver}_{yyyyMMdd}.idx</c>. Parties and types are
/// upper-case ASCII letters and digits, so the name alone says who sent what for which day.
/// </summary>
public sealed partial record BatchFileName(string Sender, string Receiver, DateOnly BusinessDate, string FileType, int Sequence)
{
    /// <summary>What a done-marker adds to the data file's name.</summary>
    public const string DoneSuffix = ".done";

    /// <summary>The data file's name.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Sender}_{Receiver}_{BusinessDate:yyyyMMdd}_{FileType}_{Sequence:D3}.txt");

    /// <summary>The done-marker's name, written after the data file is complete.</summary>
    public string DoneMarker => ToString() + DoneSuffix;

    /// <summary>The name of the index listing every file this sender published to this receiver for the day.</summary>
    public string IndexName => string.Create(CultureInfo.InvariantCulture, $"{Sender}_{Receiver}_{BusinessDate:yyyyMMdd}.idx");

    /// <summary>Parses a data file's name; false for anything else (temporary files, markers, indexes).</summary>
    public static bool TryParse(string fileName, out BatchFileName? name)
    {
        name = null;
        var match = Pattern().Match(fileName ?? string.Empty);
        if (!match.Success
            || !DateOnly.TryParseExact(match.Groups["date"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        name = new BatchFileName(
            match.Groups["sender"].Value,
            match.Groups["receiver"].Value,
            date,
            match.Groups["type"].Value,
            int.Parse(match.Groups["seq"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    [GeneratedRegex("^(?<sender>[A-Z0-9]+)_(?<receiver>[A-Z0-9]+)_(?<date>[0-9]{8})_(?<type>[A-Z0-9]+)_(?<seq>[0-9]{3})\\.txt$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
