using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class CnyMoneyTests
{
    [Theory]
    [InlineData(0, "CNY", true)]
    [InlineData(1, "CNY", true)]
    [InlineData(-1, "CNY", false)]
    [InlineData(100, "USD", false)]
    [InlineData(100, "cny", false)]
    [InlineData(100, "", false)]
    public void IsNonNegative_AmountAndCurrency_AsTheContractSays(long fen, string currency, bool expected)
    {
        var money = new Money { UnitsMinor = fen, CurrencyCode = currency };

        var ok = CnyMoney.IsNonNegative(money);

        Assert.Equal(expected, ok);
    }

    [Theory]
    [InlineData(1, "CNY", true)]
    [InlineData(0, "CNY", false)]
    [InlineData(-5, "CNY", false)]
    [InlineData(5, "CNY ", false)]
    public void IsPositive_AmountAndCurrency_AsTheContractSays(long fen, string currency, bool expected)
    {
        var money = new Money { UnitsMinor = fen, CurrencyCode = currency };

        var ok = CnyMoney.IsPositive(money);

        Assert.Equal(expected, ok);
    }

    [Fact]
    public void IsNonNegative_Unset_False()
    {
        var ok = CnyMoney.IsNonNegative(null);

        Assert.False(ok);
    }

    [Theory]
    [InlineData(1_234_567, "12,345.67 CNY")]
    [InlineData(1_000_000_000, "10,000,000 CNY")]
    [InlineData(5, "0.05 CNY")]
    [InlineData(-150, "-1.50 CNY")]
    public void Format_Fen_ExactYuan(long fen, string expected)
    {
        var text = CnyMoney.Format(fen);

        Assert.Equal(expected, text);
    }
}
