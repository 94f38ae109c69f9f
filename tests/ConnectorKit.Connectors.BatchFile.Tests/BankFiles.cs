using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>The bank's side of the drop directory for today's business date, written by the test kit as the bank would: data first, then the done-marker.</summary>
public static class BankFiles
{
    public const string BankCode = BatchFileTestKit.BankCode;
    public const string Us = "CKGATEWAY";

    public static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);

    public static IReadOnlyList<string> Approval(string applicationId, long fen, int rateBp = 385, int termMonths = 36)
        => BatchFileTestKit.Approval(applicationId, fen, rateBp, termMonths);

    public static IReadOnlyList<string> Rejection(string applicationId, string code = "2001")
        => BatchFileTestKit.Rejection(applicationId, code);

    public static IReadOnlyList<string> Tranche(string trancheId, string applicationId, long fen, string code = "0000")
        => BatchFileTestKit.Tranche(trancheId, applicationId, fen, code);

    public static BatchFileContent Decisions(params IReadOnlyList<string>[] records) => BatchFileTestKit.Decisions(Us, Today, records);

    public static BatchFileContent Disbursements(params IReadOnlyList<string>[] records) => BatchFileTestKit.Disbursements(Us, Today, records);

    /// <summary>Drops <paramref name="text"/> as the bank's return file of this type and sequence; <paramref name="markDone"/> false leaves it "still being written".</summary>
    public static string Drop(string inbox, string fileType, int sequence, string text, bool markDone = true)
        => BatchFileTestKit.Drop(inbox, new BatchFileName(BankCode, Us, Today, fileType, sequence), text, markDone);

    public static void MarkDone(string inbox, string fileName, byte[]? bytes = null) => BatchFileTestKit.MarkDone(inbox, fileName, bytes);
}
