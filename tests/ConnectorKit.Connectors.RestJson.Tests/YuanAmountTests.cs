using ConnectorKit.Connectors.RestJson.Internal;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Connectors.RestJson.Tests;

public sealed class YuanAmountTests
{
    [Theory]
    [InlineData(500_000_000L, "5000000.00")]
    [InlineData(1L, "0.01")]
    [InlineData(10L, "0.10")]
    [InlineData(0L, "0.00")]
    [InlineData(999_999_999_999_999_99L, "999999999999999.99")]
    [InlineData(-250L, "-2.50")]
    public void ToBank_Fen_YuanWithTwoDecimals(long fen, string expected)
    {
        var bank = YuanAmount.ToBank(new Money { UnitsMinor = fen, CurrencyCode = "CNY" });

        Assert.Equal(expected, bank.Value);
        Assert.Equal("CNY", bank.Currency);
    }

    [Theory]
    [InlineData("1500000.01", 150_000_001L)]
    [InlineData("0.1", 10L)]
    [InlineData("7", 700L)]
    [InlineData("9007199254740993.00", 900_719_925_474_099_300L)]
    public void FromBank_DecimalString_ExactFen(string value, long expected)
    {
        var money = YuanAmount.FromBank(new BankMoney(value, "CNY"));

        Assert.Equal(expected, money.UnitsMinor);
    }

    [Theory]
    [InlineData("1.234")]
    [InlineData("1e5")]
    [InlineData(" 1.00")]
    [InlineData("1.")]
    [InlineData("")]
    [InlineData("1,000.00")]
    public void FromBank_NotAnAmount_FormatException(string value)
    {
        Assert.Throws<FormatException>(() => YuanAmount.FromBank(new BankMoney(value, "CNY")));
    }
}
