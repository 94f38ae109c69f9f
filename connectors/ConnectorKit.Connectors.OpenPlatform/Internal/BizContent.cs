using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>The biz_content of each method (methods.md). Money goes as integer fen, never through floating point.</summary>
internal static class BizContent
{
    // Chinese text travels as UTF-8, not \u escapes; the form encoding protects the rest.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Query(string outBizNo) => Write(new JsonObject { ["out_biz_no"] = outBizNo });

    public static string Cancel(BankWithdrawal withdrawal) => Write(new JsonObject
    {
        ["out_biz_no"] = withdrawal.ApplicationId,
        ["reason"] = withdrawal.Reason,
    });

    public static string Revoke(RevokeConsentRequest request, TimeSpan offset) => Write(new JsonObject
    {
        ["consent_id"] = request.ConsentId,
        ["credit_code"] = request.EnterpriseCreditCode,
        ["revoked_at"] = Time(request.RevokedAt, offset),
    });

    public static string Submit(BankSubmission submission, TimeSpan offset)
    {
        var r = submission.Request;
        var body = new JsonObject
        {
            ["out_biz_no"] = submission.ApplicationId,
            ["platform_id"] = submission.PlatformId,
            ["credit_code"] = r.EnterpriseCreditCode,
            ["product_code"] = ProductCode(r.Product),
            ["amount"] = Fen(r.RequestedAmount),
            ["currency"] = r.RequestedAmount.CurrencyCode,
            ["term_months"] = r.TermMonths,
            ["purpose"] = r.Purpose,
            ["consent_id"] = r.Consent?.ConsentId,
            ["consent_expires_at"] = r.Consent?.ExpiresAt is { } expires ? Time(expires, offset) : null,
        };
        if (r.Guarantee is { } g)
        {
            body["guarantee"] = new JsonObject
            {
                ["guarantor_name"] = g.GuarantorName,
                ["guarantor_credit_code"] = g.GuarantorCreditCode,
                ["fee_rate_bp"] = g.FeeRateBp,
            };
        }

        if (r.Subsidy is { } s)
        {
            body["subsidy"] = new JsonObject
            {
                ["rate_bp"] = s.RateBp,
                ["program_code"] = s.ProgramCode,
                ["annual_revenue"] = s.AnnualRevenue is { } revenue ? Fen(revenue) : null,
            };
        }

        if (r.Contact is { } c)
        {
            body["contact"] = new JsonObject { ["name"] = c.Name, ["phone"] = c.Phone };
        }

        return Write(body);
    }

    public static string Profiles(IEnumerable<CreditProfile> profiles, TimeSpan offset)
    {
        var list = new JsonArray();
        foreach (var p in profiles)
        {
            var dimensions = new JsonArray();
            foreach (var d in p.Dimensions)
            {
                dimensions.Add(new JsonObject
                {
                    ["group"] = d.Group.ToString(),
                    ["code"] = d.Code,
                    ["value"] = d.Value,
                    ["level"] = d.Level.ToString(),
                });
            }

            list.Add(new JsonObject
            {
                ["credit_code"] = p.Enterprise.CreditCode,
                ["name"] = p.Enterprise.Name,
                ["division_code"] = p.Enterprise.DivisionCode,
                ["industry_code"] = p.Enterprise.IndustryCode,
                ["size"] = p.Enterprise.Size.ToString(),
                ["annual_revenue"] = p.Enterprise.AnnualRevenue is { } revenue ? Fen(revenue) : null,
                ["version"] = p.Version,
                ["grade"] = p.Grade.ToString(),
                ["score"] = p.Score,
                ["innovation_points"] = p.InnovationPoints?.TotalPoints ?? 0,
                ["consent_id"] = p.Consent?.ConsentId,
                ["consent_expires_at"] = p.Consent?.ExpiresAt is { } expires ? Time(expires, offset) : null,
                ["dimensions"] = dimensions,
                ["source"] = p.Source,
                ["as_of"] = p.AsOf is { } asOf ? Time(asOf, offset) : null,
            });
        }

        return Write(new JsonObject { ["profiles"] = list });
    }

    public static string Quote(QuoteContext context)
    {
        var r = context.Request;
        var revenue = r.AnnualRevenue ?? context.Profile?.Enterprise?.AnnualRevenue;
        return Write(new JsonObject
        {
            ["credit_code"] = r.EnterpriseCreditCode,
            ["product_code"] = ProductCode(r.Product),
            ["amount"] = r.RequestedAmount is { } amount ? Fen(amount) : null,
            ["term_months"] = r.TermMonths,
            ["annual_revenue"] = revenue is { } value ? Fen(value) : null,
            ["profile_version"] = context.Profile?.Version,
        });
    }

    public static string ProductCode(ProductType product) => product switch
    {
        ProductType.CreditLoan => "CREDIT_LOAN",
        ProductType.ParkGuaranteeLoan => "PARK_GUARANTEE_LOAN",
        ProductType.IpPledgeLoan => "IP_PLEDGE_LOAN",
        ProductType.InnovationPointsLoan => "INNOVATION_POINTS_LOAN",
        _ => throw new ArgumentOutOfRangeException(nameof(product), product, "The bank has no code for this product."),
    };

    /// <summary>Integer fen of a CNY amount; the server has already refused other currencies.</summary>
    public static long Fen(Money money) => money.UnitsMinor;

    public static string Time(Timestamp at, TimeSpan offset) => GatewayNotification.FormatTimestamp(at.ToDateTimeOffset(), offset);

    public static bool TryReadTime(JsonElement element, string name, TimeSpan offset, out DateTimeOffset at)
    {
        at = default;
        return element.TryGetProperty(name, out var value)
               && value.ValueKind == JsonValueKind.String
               && GatewayNotification.TryParseTimestamp(value.GetString()!, offset, out at);
    }

    public static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An integer member; false for a missing one, a string, or a number with a fraction.</summary>
    public static bool TryInt64(JsonElement element, string name, out long number)
    {
        number = 0;
        return element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number);
    }

    public static IEnumerable<string> Strings(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    private static string Write(JsonObject body) => body.ToJsonString(Json);
}
