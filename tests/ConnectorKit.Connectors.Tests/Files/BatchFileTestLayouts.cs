using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.Tests.Files;

internal static class BatchFileTestLayouts
{
    public static readonly RecordLayout Payments = new("PAYMENTS", "1.0", RecordFormat.FixedWidth,
    [
        new FieldSpec("payment_id", 10, FieldKind.Text),
        new FieldSpec("amount_fen", 12, FieldKind.Amount),
        new FieldSpec("paid_on", 8, FieldKind.Date),
        new FieldSpec("note", 12, FieldKind.Text, Optional: true),
    ], amountField: "amount_fen");

    public static readonly RecordLayout Names = new("NAMES", "2.1", RecordFormat.Delimited,
    [
        new FieldSpec("code", 18, FieldKind.Text),
        new FieldSpec("name", 60, FieldKind.Text),
        new FieldSpec("score", 4, FieldKind.Digits, Optional: true),
    ]);

    public static readonly DateOnly Day = new(2026, 11, 20);

    public static BatchFileContent TwoPayments(long first = 12_345, long second = 5_000_000_01)
        => BatchFileCodec.Write(Payments, "BANKA", "CKGW", Day,
        [
            ["P1", first.ToString(System.Globalization.CultureInfo.InvariantCulture), "20261120", "tranche one"],
            ["P2", second.ToString(System.Globalization.CultureInfo.InvariantCulture), "20261120", ""],
        ]);
}
