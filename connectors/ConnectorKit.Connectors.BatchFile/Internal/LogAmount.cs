using System.Globalization;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// Amounts for log lines: yuan with thousands separators (<c>180,000,000.00</c>), which an operator reads at a glance
/// and which a log scanner cannot mistake for a phone or account number, as a bare run of fen digits can be.
/// </summary>
internal static class LogAmount
{
    public static string Yuan(long fen) => (fen / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);
}
