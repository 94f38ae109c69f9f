using ConnectorKit.Grpc.Generator.Internal;

namespace ConnectorKit.Grpc.Generator.Tests.Internal;

public sealed class DocCommentsTests
{
    [Fact]
    public void ToXmlDoc_MarkupCharacters_AreEscaped()
    {
        var lines = DocComments.ToXmlDoc(" Returns <T> if a & b > c.\n");

        Assert.Equal(["/// <summary>", "/// Returns &lt;T&gt; if a &amp; b &gt; c.", "/// </summary>"], lines);
    }

    [Fact]
    public void ToXmlDoc_BlankLineRuns_BecomeOneParagraphBreak()
    {
        var lines = DocComments.ToXmlDoc("\n First.\r\n\n\n Second.\n\n");

        Assert.Equal(["/// <summary>", "/// First.", "///", "/// Second.", "/// </summary>"], lines);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    public void ToXmlDoc_NoText_WritesNothing(string comment)
    {
        var lines = DocComments.ToXmlDoc(comment);

        Assert.Empty(lines);
    }
}
