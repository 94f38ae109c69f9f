using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class ProductLimitsTests
{
    [Theory]
    [InlineData(ProductType.ParkGuaranteeLoan, 36)]
    [InlineData(ProductType.CreditLoan, 120)]
    [InlineData(ProductType.IpPledgeLoan, 120)]
    [InlineData(ProductType.InnovationPointsLoan, 120)]
    public void MaxTermFor_Product_ContractLimit(ProductType product, int expected)
    {
        var max = ProductLimits.MaxTermFor(product);

        Assert.Equal(expected, max);
    }

    [Fact]
    public void MaxAmountMinor_ParkGuaranteeLoan_TenMillionYuan()
    {
        var park = ProductLimits.MaxAmountMinor(ProductType.ParkGuaranteeLoan);
        var credit = ProductLimits.MaxAmountMinor(ProductType.CreditLoan);

        Assert.Equal(1_000_000_000L, park);
        Assert.Null(credit);
    }
}
