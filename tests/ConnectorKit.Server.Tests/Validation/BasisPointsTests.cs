using ConnectorKit.Server.Validation;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class BasisPointsTests
{
    [Theory]
    [InlineData(0, 300)]
    [InlineData(1_999_999_999, 300)]
    [InlineData(2_000_000_000, 200)]
    [InlineData(20_000_000_000, 200)]
    [InlineData(20_000_000_001, 0)]
    public void SubsidyCapFor_AnnualRevenueInFen_CapOfItsBand(long revenueFen, int expectedCap)
    {
        var cap = BasisPoints.SubsidyCapFor(revenueFen);

        Assert.Equal(expectedCap, cap);
    }

    [Fact]
    public void SubsidyCapFor_NegativeRevenue_Throws()
    {
        var cap = () => BasisPoints.SubsidyCapFor(-1);

        Assert.Throws<ArgumentOutOfRangeException>(() => cap());
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1000, true)]
    [InlineData(-1, false)]
    [InlineData(1001, false)]
    public void IsInRange_BothEndsIncluded(int value, bool expected)
    {
        var inRange = BasisPoints.IsInRange(value, 0, BasisPoints.MaxGuaranteeFee);

        Assert.Equal(expected, inRange);
    }
}
