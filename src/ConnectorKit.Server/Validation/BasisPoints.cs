namespace ConnectorKit.Server.Validation;

/// <summary>Rate ranges of the v1 contract, in whole basis points per year (1 bp = 0.01 %).</summary>
public static class BasisPoints
{
    /// <summary>Highest guarantee fee any guarantee may state.</summary>
    public const int MaxGuaranteeFee = 1000;

    /// <summary>Highest annual interest rate of an approval or a quote.</summary>
    public const int MaxAnnualRate = 2400;

    /// <summary>Highest interest subsidy of any request; the cap by revenue may be lower.</summary>
    public const int MaxSubsidy = 300;

    /// <summary>Subsidy cap for revenue from 20,000,000 CNY up to and including 200,000,000 CNY.</summary>
    public const int MidRevenueSubsidyCap = 200;

    /// <summary>Revenue below this (in fen: 20,000,000 CNY) is capped at <see cref="MaxSubsidy"/>.</summary>
    public const long LowRevenueLimitMinor = 2_000_000_000;

    /// <summary>Revenue up to and including this (in fen: 200,000,000 CNY) is capped at <see cref="MidRevenueSubsidyCap"/>; above it, 0.</summary>
    public const long MidRevenueLimitMinor = 20_000_000_000;

    /// <summary>True when <paramref name="value"/> lies in <paramref name="min"/>..<paramref name="max"/>, both included.</summary>
    public static bool IsInRange(int value, int min, int max) => value >= min && value <= max;

    /// <summary>
    /// Highest interest subsidy for an annual revenue in fen of CNY: 300 below 20,000,000 CNY, 200 from 20,000,000 up to
    /// and including 200,000,000 CNY, 0 above.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="annualRevenueMinor"/> is negative.</exception>
    public static int SubsidyCapFor(long annualRevenueMinor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(annualRevenueMinor);

        return annualRevenueMinor switch
        {
            < LowRevenueLimitMinor => MaxSubsidy,
            <= MidRevenueLimitMinor => MidRevenueSubsidyCap,
            _ => 0,
        };
    }
}
