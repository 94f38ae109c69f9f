using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Contracts.Tests;

public sealed class UnifiedSocialCreditCodeTests
{
    [Theory]
    [InlineData("91310110666007217T")]
    [InlineData("91310115591693856A")]
    [InlineData("91440300708461136T")]
    [InlineData("91350100M0001TGQXM")]
    public void IsWellFormed_EighteenCharactersFromTheCharset_True(string code)
    {
        var wellFormed = UnifiedSocialCreditCode.IsWellFormed(code);

        Assert.True(wellFormed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("91310110666007217")]
    [InlineData("91310110666007217TT")]
    [InlineData("91310110666007217t")]
    [InlineData("9131011066600721IT")]
    [InlineData("9131011066600721OT")]
    [InlineData("9131011066600721ST")]
    [InlineData("9131011066600721VT")]
    [InlineData("9131011066600721ZT")]
    [InlineData("91310110 66007217T")]
    [InlineData("９1310110666007217T")]
    [InlineData(null)]
    public void IsWellFormed_WrongLengthOrCharacter_False(string? code)
    {
        var wellFormed = UnifiedSocialCreditCode.IsWellFormed(code);

        Assert.False(wellFormed);
    }

    [Theory]
    [InlineData("91310110666007217", 'T')]
    [InlineData("91310115591693856", 'A')]
    [InlineData("91440300708461136", 'T')]
    [InlineData("91350100M0001TGQX", '1')]
    [InlineData("91350211M0000XUF4", 'R')]
    public void ComputeCheckCharacter_First17_ReturnsTheCheckCharacter(string first17, char expected)
    {
        var check = UnifiedSocialCreditCode.ComputeCheckCharacter(first17);

        Assert.Equal(expected, check);
    }

    [Fact]
    public void ComputeCheckCharacter_SumDivisibleBy31_MapsToZero()
    {
        // The weighted sum of these 17 characters is a multiple of 31, so c = 31, which the rule maps to index 0.
        var check = UnifiedSocialCreditCode.ComputeCheckCharacter("91310110666007012");

        Assert.Equal('0', check);
    }

    [Theory]
    [InlineData("9131011066600721")]
    [InlineData("913101106660072170")]
    [InlineData("9131011066600721I")]
    [InlineData("9131011066600721a")]
    [InlineData(null)]
    public void ComputeCheckCharacter_Not17CharsFromTheCharset_Null(string? first17)
    {
        var check = UnifiedSocialCreditCode.ComputeCheckCharacter(first17);

        Assert.Null(check);
    }

    [Theory]
    [InlineData("91310110666007217T")]
    [InlineData("91310115591693856A")]
    [InlineData("91440300708461136T")]
    [InlineData("913101106660070120")]
    public void HasValidCheckCharacter_DomainExamples_True(string code)
    {
        var valid = UnifiedSocialCreditCode.HasValidCheckCharacter(code);

        Assert.True(valid);
    }

    [Theory]
    [InlineData("91350100M0001TGQXM")]
    [InlineData("91350211M0000XUF46")]
    [InlineData("91310110666007217A")]
    [InlineData("91310110666007218T")]
    [InlineData("91310110666007217")]
    [InlineData("91310110666007217I")]
    [InlineData(null)]
    public void HasValidCheckCharacter_CheckFailsOrMalformed_False(string? code)
    {
        var valid = UnifiedSocialCreditCode.HasValidCheckCharacter(code);

        Assert.False(valid);
    }

    [Theory]
    [InlineData("91310110666007217T", "91************217T")]
    [InlineData("91350100M0001TGQXM", "91************GQXM")]
    [InlineData("913101106660072", "91************0072")]
    [InlineData("91310110666007217T99", "91************7T99")]
    [InlineData("12345678901", "******************")]
    [InlineData("", "******************")]
    public void Mask_AnyInput_KeepsFirst2AndLast4In18Characters(string code, string expected)
    {
        var masked = UnifiedSocialCreditCode.Mask(code);

        Assert.Equal(expected, masked);
        Assert.Equal(18, masked.Length);
    }

    [Fact]
    public void Mask_Null_Throws()
    {
        var mask = () => UnifiedSocialCreditCode.Mask(null!);

        Assert.Throws<ArgumentNullException>(mask);
    }
}
