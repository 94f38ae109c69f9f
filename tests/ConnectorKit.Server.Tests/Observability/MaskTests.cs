using ConnectorKit.Server.Observability;

namespace ConnectorKit.Server.Tests.Observability;

public sealed class MaskTests
{
    [Fact]
    public void CreditCode_EighteenCharacters_KeepsFirstTwoAndLastFourAndTheLength()
    {
        var masked = Mask.CreditCode("91350200MA31XK7217");

        Assert.Equal("91************7217", masked);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9135020")]
    [InlineData("91350200MA31XK721")]
    [InlineData("91350200MA31XK72170")]
    [InlineData("91350200MA31XK-217")]
    public void CreditCode_NotEighteenAlphanumerics_FullyHidden(string? value)
    {
        var masked = Mask.CreditCode(value);

        Assert.Equal("****", masked);
    }

    [Theory]
    [InlineData("6222021234567890128", "622202*********0128")]
    [InlineData("6222 0212 3456 7890", "622202******7890")]
    [InlineData("35020100000012345", "350201*******2345")]
    [InlineData("123456789012", "********9012")]
    [InlineData("1234567", "*******")]
    [InlineData(null, "****")]
    public void AccountNumber_ByLength_KeepsAtMostFirstSixAndLastFour(string? value, string expected)
    {
        var masked = Mask.AccountNumber(value);

        Assert.Equal(expected, masked);
    }

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("138-1234-5678", "138****5678")]
    [InlineData("+86 138 1234 5678", "+86 138****5678")]
    [InlineData("+8613812345678", "+86 138****5678")]
    [InlineData("008613812345678", "+86 138****5678")]
    [InlineData("8613812345678", "+86 138****5678")]
    [InlineData("0592-5551234", "*******1234")]
    [InlineData("12345", "****")]
    [InlineData("电话号码", "****")]
    [InlineData(null, "****")]
    public void Phone_MobileLandlineAndPrefixes_Masked(string? value, string expected)
    {
        var masked = Mask.Phone(value);

        Assert.Equal(expected, masked);
    }

    [Theory]
    [InlineData("ck-live-2f9a1c7e5b3d4a60", "****4a60")]
    [InlineData("123456789012", "****9012")]
    [InlineData("12345678901", "****")]
    [InlineData("", "****")]
    [InlineData(null, "****")]
    public void Token_ByLength_OnlyLastFourOfLongOnes(string? value, string expected)
    {
        var masked = Mask.Token(value);

        Assert.Equal(expected, masked);
    }

    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("李小龙", "李**")]
    [InlineData("欧阳娜娜", "欧***")]
    [InlineData(" 王五 ", "王*")]
    [InlineData("王", "*")]
    [InlineData("𠮷田太郎", "𠮷***")]
    [InlineData("厦门市海沧区某某科技有限公司", "厦*************")]
    [InlineData(null, "****")]
    public void Name_ChineseNames_FirstCharacterThenOneStarEach(string? value, string expected)
    {
        var masked = Mask.Name(value);

        Assert.Equal(expected, masked);
    }
}
