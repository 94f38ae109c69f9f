using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Server;

/// <summary>
/// The reference bank's pricing: a product's base limit scaled by grade and score, raised by innovation points for
/// the innovation-points loan, capped at half the annual revenue; a base rate plus a grade spread; the park guarantee
/// fee of 0.1 %/year; and the interest-subsidy cap by annual revenue (below 20 M CNY: 3 %, 20–200 M CNY: 2 %).
/// </summary>
public sealed class ReferencePricingPolicy : IPricingPolicy
{
    /// <summary>1 CNY in fen.</summary>
    public const long Yuan = 100;

    /// <summary>Base annual rate in basis points before spreads.</summary>
    public const int BaseRateBp = 345;

    private const long TwentyMillion = 20_000_000 * Yuan;
    private const long TwoHundredMillion = 200_000_000 * Yuan;

    /// <summary>How long a quote holds. <value>7 days.</value></summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(7);

    public ValueTask<QuoteFinancingResponse> QuoteAsync(QuoteContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var profile = context.Profile;
        var explanations = new List<string>();

        var limit = BaseLimit(request.Product);
        explanations.Add($"Base limit for {Name(request.Product)}: {limit / Yuan:N0} CNY");

        var grade = profile?.Grade ?? CreditGrade.Unspecified;
        var (gradeFactor, spreadBp) = grade switch
        {
            CreditGrade.Excellent => (1.0m, 0),
            CreditGrade.Good => (0.8m, 60),
            CreditGrade.Fair => (0.5m, 150),
            CreditGrade.Poor => (0.0m, 300),
            _ => (0.3m, 200),
        };
        explanations.Add(profile is null
            ? "No credit profile under a valid consent: limit at 30 %, rate +200 bp"
            : $"Grade {Name(grade)}: limit at {gradeFactor:P0}, rate +{spreadBp} bp");
        limit = (long)(limit * gradeFactor);

        if (profile is not null && limit > 0)
        {
            // Scores run 0..1000; a score of 1000 keeps the whole limit, 0 keeps half.
            var scoreFactor = 0.5m + (Math.Clamp(profile.Score, 0, 1000) / 2000m);
            limit = (long)(limit * scoreFactor);
            explanations.Add($"Score {profile.Score}: limit at {scoreFactor:P0}");
        }

        var points = profile?.InnovationPoints?.TotalPoints ?? 0;
        var rateBp = BaseRateBp + spreadBp;
        if (points >= 60 && limit > 0)
        {
            rateBp -= 25;
            explanations.Add($"Innovation points {points}: rate -25 bp");
            if (request.Product == ProductType.InnovationPointsLoan)
            {
                var raise = Math.Min(points * 10_000L * Yuan, BaseLimit(request.Product));
                limit = Math.Min(limit + raise, BaseLimit(request.Product));
                explanations.Add($"Innovation-points loan: limit raised by up to {raise / Yuan:N0} CNY");
            }
        }

        if (request.Product == ProductType.ParkGuaranteeLoan)
        {
            rateBp -= 20;
            explanations.Add("Park guarantee: rate -20 bp, guarantee fee 10 bp/year");
        }

        if (request.TermMonths > 12)
        {
            rateBp += 25;
            explanations.Add($"Term {request.TermMonths} months: rate +25 bp");
        }

        var revenue = request.AnnualRevenue?.UnitsMinor ?? profile?.Enterprise?.AnnualRevenue?.UnitsMinor;
        if (revenue is { } r && r > 0 && limit > r / 2)
        {
            limit = r / 2;
            explanations.Add($"Limit capped at half the annual revenue: {limit / Yuan:N0} CNY");
        }

        var subsidyCapBp = revenue switch
        {
            null => 0,
            < TwentyMillion => 300,
            <= TwoHundredMillion => 200,
            _ => 0,
        };
        explanations.Add(revenue is null ? "No annual revenue given: no subsidy cap" : $"Interest subsidy cap {subsidyCapBp} bp by annual revenue");
        if (limit == 0)
        {
            explanations.Add("The bank would not lend on these figures");
        }

        var response = new QuoteFinancingResponse
        {
            IndicativeLimit = new Money { UnitsMinor = limit, CurrencyCode = "CNY" },
            AnnualRateBp = Math.Clamp(rateBp, 0, 2400),
            GuaranteeFeeBp = request.Product == ProductType.ParkGuaranteeLoan ? 10 : 0,
            SubsidyCapBp = subsidyCapBp,
            ValidUntil = Timestamp.FromDateTimeOffset(context.Now + Validity),
        };
        response.Explanations.AddRange(explanations.Take(20));
        return ValueTask.FromResult(response);
    }

    /// <summary>Base limit in fen per product.</summary>
    public static long BaseLimit(ProductType product) => product switch
    {
        ProductType.ParkGuaranteeLoan => 10_000_000 * Yuan,
        ProductType.IpPledgeLoan => 5_000_000 * Yuan,
        ProductType.InnovationPointsLoan => 5_000_000 * Yuan,
        _ => 3_000_000 * Yuan,
    };

    private static string Name(ProductType product) => product switch
    {
        ProductType.CreditLoan => "credit loan",
        ProductType.ParkGuaranteeLoan => "park guarantee loan",
        ProductType.IpPledgeLoan => "IP-pledge loan",
        ProductType.InnovationPointsLoan => "innovation-points loan",
        _ => "unspecified product",
    };

    private static string Name(CreditGrade grade) => grade switch
    {
        CreditGrade.Excellent => "EXCELLENT",
        CreditGrade.Good => "GOOD",
        CreditGrade.Fair => "FAIR",
        CreditGrade.Poor => "POOR",
        _ => "UNSPECIFIED",
    };
}
