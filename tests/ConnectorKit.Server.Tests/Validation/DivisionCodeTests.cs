using ConnectorKit.Server.Validation;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class DivisionCodeTests
{
    [Theory]
    [InlineData("310115")]
    [InlineData("110000")]
    [InlineData("820000")]
    [InlineData("000000")]
    [InlineData("990101")]
    public void IsWellFormed_SixAsciiDigits_True(string code)
    {
        var wellFormed = DivisionCode.IsWellFormed(code);

        Assert.True(wellFormed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("31011")]
    [InlineData("3101150")]
    [InlineData("31011A")]
    [InlineData("３10115")]
    [InlineData(" 310115")]
    [InlineData(null)]
    public void IsWellFormed_NotSixAsciiDigits_False(string? code)
    {
        var wellFormed = DivisionCode.IsWellFormed(code);

        Assert.False(wellFormed);
    }

    [Theory]
    [InlineData("310115", true)]
    [InlineData("110101", true)]
    [InlineData("820000", true)]
    [InlineData("000000", false)]
    [InlineData("100000", false)]
    [InlineData("830000", false)]
    [InlineData("31011A", false)]
    public void IsPlausible_ProvincePart_Between11And82(string code, bool expected)
    {
        var plausible = DivisionCode.IsPlausible(code);

        Assert.Equal(expected, plausible);
    }
}
