using System.Globalization;
using System.Net;
using System.Text;

namespace ConnectorKit.Conformance.Reports;

/// <summary>
/// The report as one self-contained HTML page (no external files or scripts): a summary, then each case with its
/// rule, result, reason, duration and evidence. The summary element carries the totals as data attributes
/// (<c>#summary[data-passed]</c> …) for tools that read the page.
/// </summary>
public static class HtmlReportWriter
{
    public static string Write(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var passed = report.Count(ConformanceOutcome.Passed);
        var failed = report.Cases.Count(c => c.Outcome == ConformanceOutcome.Failed && !c.ExpectedFailure);
        var expected = report.Cases.Count(c => c.Outcome == ConformanceOutcome.Failed && c.ExpectedFailure);
        var warnings = report.Count(ConformanceOutcome.Warning);
        var skipped = report.Count(ConformanceOutcome.Skipped);
        var verdict = report.Succeeded ? "PASSED" : "FAILED";

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"ConnectorKit conformance {verdict} · {report.Target}"))
            .Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        html.Append("<header><h1>ConnectorKit conformance</h1><p>suite <b>").Append(E(report.SuiteVersion))
            .Append("</b> against <b>").Append(E(report.Target)).Append("</b>, started ")
            .Append(E(report.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)))
            .Append(", took ").Append(E(report.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture))).Append(" s</p></header>\n");
        html.Append(CultureInfo.InvariantCulture, $"<section id=\"summary\" class=\"{verdict.ToLowerInvariant()}\" data-verdict=\"{verdict}\" data-cases=\"{report.Cases.Count}\" data-passed=\"{passed}\" data-failed=\"{failed}\" data-expected-failures=\"{expected}\" data-warnings=\"{warnings}\" data-skipped=\"{skipped}\" data-suite-version=\"{E(report.SuiteVersion)}\">")
            .Append("<h2>").Append(verdict).Append("</h2><ul>")
            .Append(CultureInfo.InvariantCulture, $"<li><b>{report.Cases.Count}</b> cases</li><li class=\"passed\"><b>{passed}</b> passed</li><li class=\"failed\"><b>{failed}</b> failed</li>")
            .Append(CultureInfo.InvariantCulture, $"<li><b>{expected}</b> expected failures</li><li class=\"warning\"><b>{warnings}</b> warnings</li><li class=\"skipped\"><b>{skipped}</b> skipped</li></ul>");
        if (report.Errors.Count > 0)
        {
            html.Append("<h3>Run errors</h3><ul class=\"errors\">");
            foreach (var error in report.Errors)
            {
                html.Append("<li>").Append(E(error)).Append("</li>");
            }

            html.Append("</ul>");
        }

        html.Append("</section>\n<table><thead><tr><th>case</th><th>rule</th><th>result</th><th>time</th><th>reason and evidence</th></tr></thead><tbody>\n");
        foreach (var c in report.Cases.OrderBy(c => Rank(c)).ThenBy(c => c.Id, StringComparer.Ordinal))
        {
            var outcome = c.Outcome == ConformanceOutcome.Failed && c.ExpectedFailure ? "expected-failure" : c.Outcome.ToString().ToLowerInvariant();
            html.Append("<tr class=\"").Append(outcome).Append("\" id=\"").Append(E(c.Id)).Append("\">")
                .Append("<td><b>").Append(E(c.Id)).Append("</b><br>").Append(E(c.Title)).Append("<br><small>").Append(E(c.Category.ToString())).Append("</small></td>")
                .Append("<td><code>").Append(E(c.Rule)).Append("</code></td>")
                .Append("<td class=\"outcome\">").Append(outcome).Append("</td>")
                .Append("<td>").Append(E(c.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture))).Append(" ms</td><td>");
            if (c.Reason.Length > 0)
            {
                html.Append("<p class=\"reason\">").Append(E(c.Reason)).Append("</p>");
            }

            if (c.Evidence.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<details><summary>evidence ({c.Evidence.Count})</summary>");
                foreach (var entry in c.Evidence)
                {
                    html.Append("<div class=\"evidence\"><b>").Append(E(entry.Label)).Append("</b><pre>").Append(E(entry.Text)).Append("</pre></div>");
                }

                html.Append("</details>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n</body></html>\n");
        return html.ToString();
    }

    // Failures first: they are what a reader opened the report for.
    private static int Rank(CaseResult c) => c.Outcome switch
    {
        ConformanceOutcome.Failed when !c.ExpectedFailure => 0,
        ConformanceOutcome.Warning => 1,
        ConformanceOutcome.Failed => 2,
        ConformanceOutcome.Skipped => 3,
        _ => 4,
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2330}
        h1{margin:0}header p{color:#555}
        #summary{border-radius:8px;padding:.6em 1.2em;margin:1em 0}
        #summary.passed{background:#e7f6ea}#summary.failed{background:#fbe9e9}
        #summary ul{list-style:none;padding:0;display:flex;gap:1.5em;flex-wrap:wrap}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.45em;vertical-align:top;text-align:left}
        tr.failed td.outcome{color:#b3261e;font-weight:bold}tr.passed td.outcome{color:#1e7b34}
        tr.warning td.outcome{color:#a06000}tr.skipped td.outcome,tr.expected-failure td.outcome{color:#666}
        pre{white-space:pre-wrap;word-break:break-all;background:#f6f7f9;padding:.5em;margin:.2em 0}
        .reason{margin:0 0 .3em}code{font-size:12px}
        """;
}
