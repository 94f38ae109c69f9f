using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Examples.BankServer.Tests;

public sealed class UnderwriterRuleTests
{
    private static readonly UnderwritingOptions Rule = new();

    [Fact]
    public void Decide_NoProfile_AsksForTheCreditProfile()
    {
        var decision = Underwriter.Decide(new SubmitInfo(100_000_00, 12), null, Rule);

        Assert.Equal(DecisionKind.MoreInfo, decision.Kind);
        Assert.Equal("CREDIT_PROFILE", decision.Code);
    }

    [Fact]
    public void Decide_PoorGrade_Rejected()
    {
        var decision = Underwriter.Decide(new SubmitInfo(100_000_00, 12), Profile(CreditGrade.Poor, 900, 0), Rule);

        Assert.Equal((DecisionKind.Reject, "GRADE_BELOW_POLICY"), (decision.Kind, decision.Code));
    }

    [Theory]
    [InlineData(499, DecisionKind.Reject, "SCORE_BELOW_POLICY")]
    [InlineData(550, DecisionKind.MoreInfo, "FINANCIAL_STATEMENTS")]
    public void Decide_LowScore_RejectedOrAskedForStatements(int score, DecisionKind kind, string code)
    {
        var decision = Underwriter.Decide(new SubmitInfo(100_000_00, 12), Profile(CreditGrade.Good, score, 0), Rule);

        Assert.Equal((kind, code), (decision.Kind, decision.Code));
    }

    [Fact]
    public void Decide_GoodGradeAskingMoreThanItsCap_ApprovedAtCapPlusInnovationPoints()
    {
        var decision = Underwriter.Decide(new SubmitInfo(9_000_000_00, 36), Profile(CreditGrade.Good, 700, 50), Rule);

        Assert.Equal(DecisionKind.Approve, decision.Kind);
        Assert.Equal((6_000_000 + (50 * 10_000)) * 100L, decision.AmountFen);
    }

    [Fact]
    public void Decide_ExcellentGradeWithinCap_ApprovedAsRequested()
    {
        var decision = Underwriter.Decide(new SubmitInfo(3_000_000_00, 24), Profile(CreditGrade.Excellent, 880, 10), Rule);

        Assert.Equal((DecisionKind.Approve, 3_000_000_00L), (decision.Kind, decision.AmountFen));
    }

    private static CreditProfile Profile(CreditGrade grade, int score, int points) => new()
    {
        Grade = grade,
        Score = score,
        InnovationPoints = new InnovationPoints { TotalPoints = points },
    };
}
