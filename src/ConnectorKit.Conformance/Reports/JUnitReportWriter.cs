using System.Globalization;
using System.Xml.Linq;

namespace ConnectorKit.Conformance.Reports;

/// <summary>
/// The report as JUnit XML, the format CI servers read: one testsuite per category, one testcase per case
/// (classname = category, name = "id title"); skipped and failed cases carry their reason.
/// </summary>
public static class JUnitReportWriter
{
    public static string Write(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var suites = report.Cases.GroupBy(c => c.Category).OrderBy(g => g.Key).Select(group => new XElement(
            "testsuite",
            new XAttribute("name", $"ConnectorKit conformance {report.SuiteVersion} · {group.Key}"),
            new XAttribute("tests", group.Count()),
            new XAttribute("failures", group.Count(IsUnexpectedFailure)),
            new XAttribute("skipped", group.Count(c => c.Outcome == ConformanceOutcome.Skipped || (c.Outcome == ConformanceOutcome.Failed && c.ExpectedFailure))),
            new XAttribute("errors", 0),
            new XAttribute("time", Seconds(group.Aggregate(TimeSpan.Zero, (t, c) => t + c.Duration))),
            new XAttribute("timestamp", report.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XElement("properties",
                new XElement("property", new XAttribute("name", "suite_version"), new XAttribute("value", report.SuiteVersion)),
                new XElement("property", new XAttribute("name", "target"), new XAttribute("value", report.Target))),
            group.Select(TestCase)));

        var root = new XElement(
            "testsuites",
            new XAttribute("name", $"ConnectorKit conformance {report.SuiteVersion} against {report.Target}"),
            new XAttribute("tests", report.Cases.Count),
            new XAttribute("failures", report.Cases.Count(IsUnexpectedFailure)),
            new XAttribute("errors", report.Errors.Count),
            new XAttribute("time", Seconds(report.Duration)),
            suites);
        if (report.Errors.Count > 0)
        {
            root.Add(new XElement(
                "testsuite",
                new XAttribute("name", "run"),
                new XAttribute("tests", report.Errors.Count),
                new XAttribute("errors", report.Errors.Count),
                report.Errors.Select((e, i) => new XElement("testcase", new XAttribute("classname", "run"), new XAttribute("name", $"run error {i + 1}"), new XElement("error", new XAttribute("message", e))))));
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).ToString();
    }

    private static XElement TestCase(CaseResult c)
    {
        var element = new XElement(
            "testcase",
            new XAttribute("classname", c.Category.ToString()),
            new XAttribute("name", $"{c.Id} {c.Title}"),
            new XAttribute("time", Seconds(c.Duration)));
        switch (c.Outcome)
        {
            case ConformanceOutcome.Failed when c.ExpectedFailure:
                element.Add(new XElement("skipped", new XAttribute("message", "expected failure: " + c.Reason)));
                break;
            case ConformanceOutcome.Failed:
                element.Add(new XElement("failure", new XAttribute("message", c.Reason), new XAttribute("type", c.Rule), Evidence(c)));
                break;
            case ConformanceOutcome.Skipped:
                element.Add(new XElement("skipped", new XAttribute("message", c.Reason)));
                break;
            case ConformanceOutcome.Warning:
                element.Add(new XElement("system-out", "warning: " + c.Reason));
                break;
        }

        return element;
    }

    private static string Evidence(CaseResult c) => string.Join("\n", c.Evidence.Select(e => $"{e.Label}: {e.Text}"));

    private static bool IsUnexpectedFailure(CaseResult c) => c.Outcome == ConformanceOutcome.Failed && !c.ExpectedFailure;

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
