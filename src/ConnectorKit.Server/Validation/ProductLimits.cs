using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation;

/// <summary>Amount, term and guarantee limits the v1 contract sets per product.</summary>
public static class ProductLimits
{
    /// <summary>Longest term of any product, in months.</summary>
    public const int MaxTermMonths = 120;

    /// <summary>Longest term of a park guarantee loan, in months (3 years).</summary>
    public const int ParkGuaranteeLoanMaxTermMonths = 36;

    /// <summary>Largest park guarantee loan, in fen (10,000,000 CNY).</summary>
    public const long ParkGuaranteeLoanMaxAmountMinor = 1_000_000_000;

    /// <summary>The guarantee fee of a park guarantee loan, bp per year (0.1 %).</summary>
    public const int ParkGuaranteeFeeBp = 10;

    /// <summary>Largest amount in fen for <paramref name="product"/>, or null when the contract sets none.</summary>
    public static long? MaxAmountMinor(ProductType product)
        => product == ProductType.ParkGuaranteeLoan ? ParkGuaranteeLoanMaxAmountMinor : null;

    /// <summary>Longest term in months for <paramref name="product"/>.</summary>
    public static int MaxTermFor(ProductType product)
        => product == ProductType.ParkGuaranteeLoan ? ParkGuaranteeLoanMaxTermMonths : MaxTermMonths;

    /// <summary>True when <paramref name="product"/> needs a guarantee with a fee of exactly <see cref="ParkGuaranteeFeeBp"/>.</summary>
    public static bool RequiresGuarantee(ProductType product) => product == ProductType.ParkGuaranteeLoan;
}
