namespace ConnectorKit.Conformance.Reports;

/// <summary>One run: what ran against what, each case's result, and the totals.</summary>
/// <param name="SuiteVersion">The ConnectorKit.Conformance version that ran, so reports from different versions are told apart.</param>
/// <param name="Errors">Faults of the run itself (an expectation matching no case, a target that would not start); any makes the run fail.</param>
public sealed record ConformanceReport(
    string SuiteVersion,
    string Target,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<CaseResult> Cases,
    IReadOnlyList<string> Errors)
{
    public int Count(ConformanceOutcome outcome) => Cases.Count(c => c.Outcome == outcome);

    /// <summary>True when no case failed unexpectedly and the run had no errors; the CLI exits 0 exactly then.</summary>
    public bool Succeeded => Errors.Count == 0 && Cases.All(c => c.Outcome != ConformanceOutcome.Failed || c.ExpectedFailure);
}

/// <summary>One case's result.</summary>
/// <param name="Reason">Why it failed, was skipped or warned; empty when it passed cleanly.</param>
/// <param name="ExpectedFailure">It failed, and the expectations file says it would, with the reason given there.</param>
public sealed record CaseResult(
    string Id,
    string Title,
    string Rule,
    ConformanceCategory Category,
    string Suite,
    ConformanceOutcome Outcome,
    string Reason,
    TimeSpan Duration,
    IReadOnlyList<EvidenceEntry> Evidence,
    bool ExpectedFailure = false);

/// <summary>A labelled excerpt (a request, a response, a journal entry), masked.</summary>
public sealed record EvidenceEntry(string Label, string Text);
