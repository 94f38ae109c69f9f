using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Connectors;

namespace ConnectorKit.Conformance.Tests.Running;

public sealed class ConformanceRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyList<ConformanceCase> Scripted = ConformanceCase.Discover(typeof(ScriptedSuite).Assembly);

    [Fact]
    public async Task RunAsync_EachEnding_ReportedWithItsOutcomeAndReason()
    {
        await using var target = new FakeTarget(ConnectorCapabilities.All & ~ConnectorCapabilities.Quote);
        var runner = new ConformanceRunner(Scripted);

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-*", CaseTimeout = TimeSpan.FromMilliseconds(300) }).WaitAsync(Timeout);

        var byId = report.Cases.ToDictionary(c => c.Id);
        Assert.Equal(ConformanceOutcome.Passed, byId["T-PASS-001"].Outcome);
        Assert.Equal(ConformanceOutcome.Failed, byId["T-FAIL-001"].Outcome);
        Assert.Equal("expected the bank to see one submission, it saw 2", byId["T-FAIL-001"].Reason);
        Assert.Equal(ConformanceOutcome.Warning, byId["T-WARN-001"].Outcome);
        Assert.Equal("p99 was 900 ms", byId["T-WARN-001"].Reason);
        Assert.Equal(ConformanceOutcome.Skipped, byId["T-SKIP-001"].Outcome);
        Assert.Equal(ConformanceOutcome.Skipped, byId["T-CAP-001"].Outcome);
        Assert.Contains("Quote", byId["T-CAP-001"].Reason, StringComparison.Ordinal);
        Assert.Equal(ConformanceOutcome.Skipped, byId["T-JOURNAL-001"].Outcome);
        Assert.Equal("unexpected INTERNAL: boom", byId["T-THROW-001"].Reason);
        Assert.Equal("SubmitApplication with an empty request_id: expected INVALID_ARGUMENT, but the call succeeded.", byId["T-STATUS-001"].Reason);
        Assert.Equal(ConformanceOutcome.Failed, byId["T-SLOW-001"].Outcome);
        Assert.StartsWith("did not finish within", byId["T-SLOW-001"].Reason, StringComparison.Ordinal);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public async Task RunAsync_Evidence_IsMaskedBeforeItReachesTheReport()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-PASS-001" }).WaitAsync(Timeout);

        var text = Assert.Single(Assert.Single(report.Cases).Evidence).Text;
        Assert.DoesNotContain("91310110666007217T", text, StringComparison.Ordinal);
        Assert.DoesNotContain("13812345678", text, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijklmnop1234", text, StringComparison.Ordinal);
        Assert.Contains("138****5678", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExpectedFailureWithReason_RunSucceedsAndCaseSaysWhy()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);
        var expectations = Expectations.Parse("""{"expectations":[{"case":"T-FAIL-001","outcome":"fail","reason":"our sandbox double-posts; ticket BANK-42"}]}""");

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-PASS-001,T-FAIL-001", Expectations = expectations }).WaitAsync(Timeout);

        Assert.True(report.Succeeded);
        var failed = report.Cases.Single(c => c.Id == "T-FAIL-001");
        Assert.True(failed.ExpectedFailure);
        Assert.Contains("ticket BANK-42", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExpectationMatchingNoCase_FailsTheRun()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);
        var expectations = Expectations.Parse("""{"expectations":[{"case":"T-GONE-001","outcome":"skip","reason":"was removed"}]}""");

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-PASS-001", Expectations = expectations }).WaitAsync(Timeout);

        Assert.False(report.Succeeded);
        Assert.Contains(report.Errors, e => e.Contains("T-GONE-001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ExpectedFailureThatPasses_FailsTheRun()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);
        var expectations = Expectations.Parse("""{"expectations":[{"case":"T-PASS-001","outcome":"fail","reason":"fixed since"}]}""");

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-PASS-001", Expectations = expectations }).WaitAsync(Timeout);

        Assert.False(report.Succeeded);
        Assert.Contains(report.Errors, e => e.StartsWith("T-PASS-001 was expected to fail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ExpectedSkip_NotRunAndSaysWhy()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);
        var expectations = Expectations.Parse("""{"expectations":[{"case":"T-FAIL-*","outcome":"skip","reason":"sandbox has no tranche API"}]}""");

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-FAIL-001", Expectations = expectations }).WaitAsync(Timeout);

        var result = Assert.Single(report.Cases);
        Assert.Equal(ConformanceOutcome.Skipped, result.Outcome);
        Assert.Equal("expected skip: sandbox has no tranche API", result.Reason);
        Assert.True(report.Succeeded);
    }

    [Fact]
    public async Task RunAsync_ExclusiveCase_RunsWhenNoOtherCaseRuns()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "T-EXCL-*,T-PAR-*", Parallelism = 4 }).WaitAsync(Timeout);

        Assert.All(report.Cases, c => Assert.Equal(ConformanceOutcome.Passed, c.Outcome));
        Assert.Equal(1, ExclusiveSuite.MaxSeenWithOthers);
    }

    [Fact]
    public void Select_Category_SelectsThatCategoryOnly()
    {
        var runner = new ConformanceRunner(Scripted);

        var selected = runner.Select("Callbacks");

        Assert.Equal(["T-EXCL-001", "T-PAR-001", "T-PAR-002"], selected.Select(c => c.Id));
    }

    [Fact]
    public async Task RunAsync_FilterSelectingNothing_FailsTheRun()
    {
        await using var target = new FakeTarget();
        var runner = new ConformanceRunner(Scripted);

        var report = await runner.RunAsync(target, new ConformanceRunOptions { Filter = "NOPE-*" }).WaitAsync(Timeout);

        Assert.Empty(report.Cases);
        Assert.False(report.Succeeded);
    }

    [Theory]
    [InlineData("""{"expectations":[{"case":"T-FAIL-001","outcome":"fail"}]}""", "has no \"reason\"")]
    [InlineData("""{"expectations":[{"case":"T-FAIL-001","outcome":"maybe","reason":"x"}]}""", "use \"fail\" or \"skip\"")]
    [InlineData("""{"expectations":[{"outcome":"skip","reason":"x"}]}""", "has no \"case\"")]
    [InlineData("""{"expectations":[""", "not valid JSON")]
    public void Parse_InvalidEntry_SaysWhatIsWrong(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Expectations.Parse(json, "bank.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("bank.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SuiteVersion_IsTheAssemblyVersion()
    {
        var version = ConformanceRunner.SuiteVersion;

        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }
}
