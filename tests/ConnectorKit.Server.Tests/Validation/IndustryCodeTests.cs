using ConnectorKit.Server.Validation;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class IndustryCodeTests
{
    [Theory]
    [InlineData("C")]
    [InlineData("C39")]
    [InlineData("C391")]
    [InlineData("C3911")]
    [InlineData("A0111")]
    [InlineData("T97")]
    public void IsWellFormed_SectionWithOptionalDigits_True(string code)
    {
        var wellFormed = IndustryCode.IsWellFormed(code);

        Assert.True(wellFormed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("C3")]
    [InlineData("C39111")]
    [InlineData("U39")]
    [InlineData("c391")]
    [InlineData("3911")]
    [InlineData("CC39")]
    [InlineData("C39A")]
    [InlineData(null)]
    public void IsWellFormed_OutsideThePattern_False(string? code)
    {
        var wellFormed = IndustryCode.IsWellFormed(code);

        Assert.False(wellFormed);
    }
}
