using System.Text.Json;
using System.Xml.Linq;
using ConnectorKit.Conformance.Reports;

namespace ConnectorKit.Conformance.Tests.Reports;

public sealed class ReportWriterTests
{
    private static readonly ConformanceReport Report = new(
        "1.2.3",
        "connector rest-json",
        new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero),
        TimeSpan.FromSeconds(4.2),
        [
            new CaseResult("CK-IDEM-001", "a retried submit returns the first answer", "SubmitApplicationRequest.request_id", ConformanceCategory.Idempotency, "IdempotencySuite", ConformanceOutcome.Failed, "the bank saw 2 submissions <script>", TimeSpan.FromMilliseconds(120), [new EvidenceEntry("→ SubmitApplication", "{\"requestId\":\"R-1\"}")]),
            new CaseResult("CK-CONS-001", "no consent, no data", "Consent", ConformanceCategory.Consent, "ConsentSuite", ConformanceOutcome.Passed, string.Empty, TimeSpan.FromMilliseconds(30), []),
            new CaseResult("CK-LOAN-009", "withdraw before the decision", "WithdrawApplication", ConformanceCategory.StateMachine, "StateSuite", ConformanceOutcome.Skipped, "the target does not declare Withdraw", TimeSpan.Zero, []),
            new CaseResult("CK-CB-002", "callbacks in order", "EventHeader.sequence", ConformanceCategory.Callbacks, "CallbackSuite", ConformanceOutcome.Failed, "out of order (expected: sandbox bug BANK-7)", TimeSpan.FromMilliseconds(80), [], ExpectedFailure: true),
            new CaseResult("CK-PERF-001", "quote p99", "QuoteFinancing", ConformanceCategory.Performance, "PerformanceSuite", ConformanceOutcome.Warning, "p99 900 ms", TimeSpan.FromMilliseconds(900), []),
        ],
        []);

    [Fact]
    public void JUnit_Write_CountsOnlyUnexpectedFailuresAsFailures()
    {
        var xml = XDocument.Parse(JUnitReportWriter.Write(Report));

        var root = xml.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal("5", root.Attribute("tests")!.Value);
        Assert.Equal("1", root.Attribute("failures")!.Value);
        var failure = Assert.Single(xml.Descendants("failure"));
        Assert.Equal("the bank saw 2 submissions <script>", failure.Attribute("message")!.Value);
        Assert.Contains("CK-IDEM-001", failure.Parent!.Attribute("name")!.Value, StringComparison.Ordinal);
        Assert.Equal(2, xml.Descendants("skipped").Count());
        Assert.All(xml.Descendants("testsuite"), s => Assert.Contains("1.2.3", s.Attribute("name")!.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Json_Write_CarriesVersionTotalsAndEvidence()
    {
        using var json = JsonDocument.Parse(JsonReportWriter.Write(Report));

        var root = json.RootElement;
        Assert.Equal("1.2.3", root.GetProperty("suite_version").GetString());
        Assert.False(root.GetProperty("succeeded").GetBoolean());
        Assert.Equal(2, root.GetProperty("totals").GetProperty("failed").GetInt32());
        var first = root.GetProperty("cases")[0];
        Assert.Equal("failed", first.GetProperty("outcome").GetString());
        Assert.Equal("→ SubmitApplication", first.GetProperty("evidence")[0].GetProperty("label").GetString());
    }

    [Fact]
    public void Html_Write_SelfContainedWithEscapedTextAndSummaryAttributes()
    {
        var html = HtmlReportWriter.Write(Report);

        Assert.Contains("data-verdict=\"FAILED\"", html, StringComparison.Ordinal);
        Assert.Contains("data-failed=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains("data-expected-failures=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains("data-suite-version=\"1.2.3\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("CK-IDEM-001", StringComparison.Ordinal) < html.IndexOf("CK-CONS-001", StringComparison.Ordinal), "failures come first");
    }
}
