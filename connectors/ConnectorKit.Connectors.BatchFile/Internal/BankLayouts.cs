using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>This bank's four file layouts, as record-layouts.md describes them.</summary>
internal static class BankLayouts
{
    public const string Version = "1.0";

    public static readonly RecordLayout Profiles = new("PROFILES", Version, RecordFormat.Delimited,
    [
        new FieldSpec("action", 1, FieldKind.Text),
        new FieldSpec("credit_code", 18, FieldKind.Text),
        new FieldSpec("consent_id", 64, FieldKind.Text),
        new FieldSpec("source", 64, FieldKind.Text, Optional: true),
        new FieldSpec("profile_version", 19, FieldKind.Digits, Optional: true),
        new FieldSpec("enterprise_name", 200, FieldKind.Text, Optional: true),
        new FieldSpec("division_code", 6, FieldKind.Digits, Optional: true),
        new FieldSpec("industry_code", 8, FieldKind.Text, Optional: true),
        new FieldSpec("size", 40, FieldKind.Text, Optional: true),
        new FieldSpec("grade", 40, FieldKind.Text, Optional: true),
        new FieldSpec("score", 4, FieldKind.Digits, Optional: true),
        new FieldSpec("innovation_points", 6, FieldKind.Digits, Optional: true),
        new FieldSpec("annual_revenue_fen", 18, FieldKind.Amount, Optional: true),
        new FieldSpec("consent_expires_on", 8, FieldKind.Date, Optional: true),
        new FieldSpec("as_of", 14, FieldKind.Timestamp, Optional: true),
        new FieldSpec("revoked_at", 14, FieldKind.Timestamp, Optional: true),
    ], amountField: "annual_revenue_fen");

    public static readonly RecordLayout Applications = new("APPLICATIONS", Version, RecordFormat.Delimited,
    [
        new FieldSpec("action", 1, FieldKind.Text),
        new FieldSpec("application_id", 29, FieldKind.Text),
        new FieldSpec("platform_id", 64, FieldKind.Text),
        new FieldSpec("credit_code", 18, FieldKind.Text, Optional: true),
        new FieldSpec("consent_id", 64, FieldKind.Text, Optional: true),
        new FieldSpec("product", 40, FieldKind.Text, Optional: true),
        new FieldSpec("amount_fen", 18, FieldKind.Amount, Optional: true),
        new FieldSpec("currency", 3, FieldKind.Text, Optional: true),
        new FieldSpec("term_months", 3, FieldKind.Digits, Optional: true),
        new FieldSpec("guarantor_code", 18, FieldKind.Text, Optional: true),
        new FieldSpec("guarantee_fee_bp", 5, FieldKind.Digits, Optional: true),
        new FieldSpec("purpose", 500, FieldKind.Text, Optional: true),
        new FieldSpec("contact_name", 100, FieldKind.Text, Optional: true),
        new FieldSpec("contact_phone", 20, FieldKind.Text, Optional: true),
        new FieldSpec("recorded_at", 14, FieldKind.Timestamp),
        new FieldSpec("reason", 500, FieldKind.Text, Optional: true),
    ], amountField: "amount_fen");

    public static readonly RecordLayout Decisions = new("DECISIONS", Version, RecordFormat.FixedWidth,
    [
        new FieldSpec("application_id", 29, FieldKind.Text),
        new FieldSpec("result_code", 4, FieldKind.Digits),
        new FieldSpec("approved_amount_fen", 18, FieldKind.Amount, Optional: true),
        new FieldSpec("annual_rate_bp", 5, FieldKind.Digits, Optional: true),
        new FieldSpec("term_months", 3, FieldKind.Digits, Optional: true),
        new FieldSpec("decided_at", 14, FieldKind.Timestamp),
        new FieldSpec("bank_reference", 20, FieldKind.Text),
        new FieldSpec("message", 60, FieldKind.Text, Optional: true),
    ], amountField: "approved_amount_fen");

    public static readonly RecordLayout Disbursements = new("DISBURSEMENTS", Version, RecordFormat.FixedWidth,
    [
        new FieldSpec("tranche_id", 20, FieldKind.Text),
        new FieldSpec("application_id", 29, FieldKind.Text),
        new FieldSpec("result_code", 4, FieldKind.Digits),
        new FieldSpec("amount_fen", 18, FieldKind.Amount),
        new FieldSpec("account_number", 32, FieldKind.Text),
        new FieldSpec("paid_at", 14, FieldKind.Timestamp),
    ], amountField: "amount_fen");

    public static readonly IReadOnlyList<RecordLayout> Requests = [Profiles, Applications];

    public static readonly IReadOnlyList<RecordLayout> Returns = [Decisions, Disbursements];
}
