using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Tests.Tracking;

public sealed class ServiceLevelReportTests
{
    // Monday 2026-03-02 09:00 China Standard Time.
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_TwentyDecisions_MedianAndNearestRankP95()
    {
        var timelines = Enumerable.Range(1, 20).Select(hours => Timeline(Monday, decidedAfter: TimeSpan.FromHours(hours), moneyAfter: null));

        var report = ServiceLevelReport.Create(timelines);

        Assert.Equal(20, report.Applications);
        Assert.Equal(20, report.TimeToDecision.Count);
        Assert.Equal(TimeSpan.FromHours(10.5), report.TimeToDecision.Median);
        Assert.Equal(TimeSpan.FromHours(19), report.TimeToDecision.P95);
        Assert.Equal(1.0, report.TimeToDecision.ShareWithinServiceLevel);
        Assert.Equal(0, report.TimeToMoney.Count);
        Assert.Null(report.TimeToMoney.Median);
        Assert.Null(report.TimeToMoney.ShareWithinServiceLevel);
    }

    [Fact]
    public void Create_MoneyAroundFortyEightHours_ShareCountsOnlyThoseWithin()
    {
        var timelines = new[]
        {
            Timeline(Monday, TimeSpan.FromHours(2), TimeSpan.FromHours(24)),
            Timeline(Monday, TimeSpan.FromHours(2), TimeSpan.FromHours(48)),
            Timeline(Monday, TimeSpan.FromHours(2), TimeSpan.FromHours(49)),
            Timeline(Monday, TimeSpan.FromHours(2), TimeSpan.FromHours(100)),
            Timeline(Monday, null, null),
        };

        var report = ServiceLevelReport.Create(timelines);

        Assert.Equal(5, report.Applications);
        Assert.Equal(4, report.TimeToMoney.Count);
        Assert.Equal(TimeSpan.FromHours(48.5), report.TimeToMoney.Median);
        Assert.Equal(TimeSpan.FromHours(100), report.TimeToMoney.P95);
        Assert.Equal(2, report.TimeToMoney.WithinServiceLevel);
        Assert.Equal(0.5, report.TimeToMoney.ShareWithinServiceLevel);
    }

    [Theory]
    [InlineData("2026-03-02T01:00:00Z", "2026-03-09T01:00:00Z")] // Monday 09:00 CST → next Monday 09:00 CST
    [InlineData("2026-03-05T01:00:00Z", "2026-03-12T01:00:00Z")] // Thursday → next Thursday
    [InlineData("2026-03-07T04:00:00Z", "2026-03-13T16:00:00Z")] // Saturday → counts from Monday 00:00 CST, ends Saturday 00:00 CST
    public void DecisionDeadline_FiveWorkingDaysInChinaStandardTime(string submitted, string deadline)
    {
        var actual = ServiceLevels.DecisionDeadline(DateTimeOffset.Parse(submitted, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(deadline, System.Globalization.CultureInfo.InvariantCulture), actual);
    }

    [Fact]
    public void ApplicationTimeline_DecisionAfterSixWorkingDays_NotWithinServiceLevel()
    {
        var late = Timeline(Monday, TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1), null);
        var onTime = Timeline(Monday, TimeSpan.FromDays(7), null);

        Assert.False(late.DecidedWithinServiceLevel);
        Assert.True(onTime.DecidedWithinServiceLevel);
    }

    private static ApplicationTimeline Timeline(DateTimeOffset submitted, TimeSpan? decidedAfter, TimeSpan? moneyAfter) => new(new TrackedApplication
    {
        BankId = "bank-a",
        ApplicationId = Guid.NewGuid().ToString("N"),
        CreditCode = "91310110666007217T",
        Product = ProductType.CreditLoan,
        RequestedAmountMinor = 100,
        State = moneyAfter is not null ? ApplicationState.Disbursed : decidedAfter is not null ? ApplicationState.Approved : ApplicationState.Submitted,
        SubmittedAt = submitted,
        DecidedAt = submitted + decidedAfter,
        FirstMoneyAt = submitted + moneyAfter,
        Timeline = [new TimelineStep(ApplicationState.Submitted, submitted, string.Empty)],
    });
}
