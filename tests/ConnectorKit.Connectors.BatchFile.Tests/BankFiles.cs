using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>The bank's side of the drop directory: return files written as the bank would, data first, then the done-marker.</summary>
public static class BankFiles
{
    public const string BankCode = "BANKTEST";
    public const string Us = "CKGATEWAY";
    public const string Account = "6222020200112233445";

    public static DateOnly Today => DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);

    public static string Now => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> Approval(string applicationId, long fen, int rateBp = 385, int termMonths = 36)
        => [applicationId, "0000", Fen(fen), rateBp.ToString(CultureInfo.InvariantCulture), termMonths.ToString(CultureInfo.InvariantCulture), Now, "REF" + applicationId[^8..], "approved"];

    public static IReadOnlyList<string> Rejection(string applicationId, string code = "2001")
        => [applicationId, code, "", "", "", Now, "REF" + applicationId[^8..], "grade too low"];

    public static IReadOnlyList<string> Tranche(string trancheId, string applicationId, long fen, string code = "0000")
        => [trancheId, applicationId, code, Fen(fen), Account, Now];

    public static BatchFileContent Decisions(params IReadOnlyList<string>[] records)
        => BatchFileCodec.Write(BankLayouts.Decisions, BankCode, Us, Today, records);

    public static BatchFileContent Disbursements(params IReadOnlyList<string>[] records)
        => BatchFileCodec.Write(BankLayouts.Disbursements, BankCode, Us, Today, records);

    /// <summary>Drops <paramref name="text"/> as the bank's return file of this type and sequence; <paramref name="markDone"/> false leaves it "still being written".</summary>
    public static string Drop(string inbox, string fileType, int sequence, string text, bool markDone = true)
    {
        Directory.CreateDirectory(inbox);
        var name = new BatchFileName(BankCode, Us, Today, fileType, sequence);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        File.WriteAllBytes(Path.Combine(inbox, name.ToString()), bytes);
        if (markDone)
        {
            MarkDone(inbox, name.ToString(), bytes);
        }

        return name.ToString();
    }

    public static void MarkDone(string inbox, string fileName, byte[]? bytes = null)
        => File.WriteAllText(
            Path.Combine(inbox, fileName + BatchFileName.DoneSuffix),
            Convert.ToHexStringLower(SHA256.HashData(bytes ?? File.ReadAllBytes(Path.Combine(inbox, fileName)))) + "\n");

    private static string Fen(long fen) => fen.ToString(CultureInfo.InvariantCulture);
}
