using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectorKit.Conformance.Reports;

/// <summary>The report as JSON, for pipelines: outcomes as lower-case words, durations in milliseconds.</summary>
public static class JsonReportWriter
{
    public static string Write(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = new Document(
            report.SuiteVersion,
            report.Target,
            report.StartedAt,
            report.Duration.TotalMilliseconds,
            report.Succeeded,
            new Totals(report.Cases.Count, report.Count(ConformanceOutcome.Passed), report.Count(ConformanceOutcome.Failed), report.Count(ConformanceOutcome.Warning), report.Count(ConformanceOutcome.Skipped)),
            report.Errors,
            report.Cases.Select(c => new Case(c.Id, c.Title, c.Rule, c.Category.ToString(), c.Suite, c.Outcome.ToString().ToLowerInvariant(), c.Reason, c.Duration.TotalMilliseconds, c.ExpectedFailure, c.Evidence.Select(e => new Evidence(e.Label, e.Text)).ToList())).ToList());
        return JsonSerializer.Serialize(document, ReportJson.Default.Document);
    }

    internal sealed record Document(
        [property: JsonPropertyName("suite_version")] string SuiteVersion,
        [property: JsonPropertyName("target")] string Target,
        [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
        [property: JsonPropertyName("duration_ms")] double DurationMs,
        [property: JsonPropertyName("succeeded")] bool Succeeded,
        [property: JsonPropertyName("totals")] Totals Totals,
        [property: JsonPropertyName("errors")] IReadOnlyList<string> Errors,
        [property: JsonPropertyName("cases")] IReadOnlyList<Case> Cases);

    internal sealed record Totals(
        [property: JsonPropertyName("cases")] int Cases,
        [property: JsonPropertyName("passed")] int Passed,
        [property: JsonPropertyName("failed")] int Failed,
        [property: JsonPropertyName("warnings")] int Warnings,
        [property: JsonPropertyName("skipped")] int Skipped);

    internal sealed record Case(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("rule")] string Rule,
        [property: JsonPropertyName("category")] string Category,
        [property: JsonPropertyName("suite")] string Suite,
        [property: JsonPropertyName("outcome")] string Outcome,
        [property: JsonPropertyName("reason")] string Reason,
        [property: JsonPropertyName("duration_ms")] double DurationMs,
        [property: JsonPropertyName("expected_failure")] bool ExpectedFailure,
        [property: JsonPropertyName("evidence")] IReadOnlyList<Evidence> Evidence);

    internal sealed record Evidence(
        [property: JsonPropertyName("label")] string Label,
        [property: JsonPropertyName("text")] string Text);
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(JsonReportWriter.Document))]
internal sealed partial class ReportJson : JsonSerializerContext;
