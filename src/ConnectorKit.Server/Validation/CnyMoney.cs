using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation;

/// <summary>Money as the v1 contract carries it: an exact count of minor units (fen) of CNY, never negative.</summary>
public static class CnyMoney
{
    /// <summary>The only currency code v1 accepts.</summary>
    public const string CurrencyCode = "CNY";

    /// <summary>Minor units (fen) in one yuan.</summary>
    public const long MinorUnitsPerYuan = 100;

    /// <summary>True when <paramref name="currencyCode"/> is exactly "CNY" (case-sensitive, no trimming).</summary>
    public static bool IsAcceptedCurrency(string? currencyCode)
        => string.Equals(currencyCode, CurrencyCode, StringComparison.Ordinal);

    /// <summary>True for a set CNY amount of 0 or more fen.</summary>
    public static bool IsNonNegative(Money? money)
        => money is not null && IsAcceptedCurrency(money.CurrencyCode) && money.UnitsMinor >= 0;

    /// <summary>True for a set CNY amount of more than 0 fen.</summary>
    public static bool IsPositive(Money? money)
        => money is not null && IsAcceptedCurrency(money.CurrencyCode) && money.UnitsMinor > 0;

    /// <summary>"12,345.67 CNY" for an amount in fen; exact, no floating point.</summary>
    public static string Format(long unitsMinor)
    {
        var yuan = Math.DivRem(unitsMinor, MinorUnitsPerYuan, out var fen);
        var sign = unitsMinor < 0 ? "-" : string.Empty;
        var wholeYuan = Math.Abs(yuan).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        return fen == 0
            ? $"{sign}{wholeYuan} CNY"
            : $"{sign}{wholeYuan}.{Math.Abs(fen):00} CNY";
    }
}
