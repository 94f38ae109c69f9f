using System.Text.Json.Nodes;

namespace ConnectorKit.Connectors.RestJson.Tests;

/// <summary>The bank's webhook bodies, as openapi.yaml describes them.</summary>
internal static class BankEvents
{
    public static string Approved(string applicationId, string amountYuan = "4000000.00") => new JsonObject
    {
        ["type"] = "application.decided",
        ["timestamp"] = "2026-11-22T02:00:00Z",
        ["data"] = new JsonObject
        {
            ["external_id"] = applicationId,
            ["decision"] = new JsonObject
            {
                ["outcome"] = "approved",
                ["decision_id"] = "D-0001",
                ["approved_amount"] = new JsonObject { ["value"] = amountYuan, ["currency"] = "CNY" },
                ["annual_rate_bp"] = 385,
                ["term_months"] = 36,
                ["conditions"] = new JsonArray("Open a settlement account with the bank"),
            },
        },
    }.ToJsonString();

    public static string Paid(string applicationId, string trancheId, string amountYuan) => new JsonObject
    {
        ["type"] = "disbursement.paid",
        ["timestamp"] = "2026-11-22T03:00:00Z",
        ["data"] = new JsonObject
        {
            ["external_id"] = applicationId,
            ["tranche"] = new JsonObject
            {
                ["tranche_id"] = trancheId,
                ["status"] = "paid",
                ["amount"] = new JsonObject { ["value"] = amountYuan, ["currency"] = "CNY" },
                ["account_number"] = "6222020200112233445",
                ["paid_at"] = "2026-11-22T03:00:00Z",
            },
        },
    }.ToJsonString();
}
