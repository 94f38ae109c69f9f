using ConnectorKit.Conformance.Reports;

namespace ConnectorKit.Conformance.Running;

/// <summary>How a run goes.</summary>
public sealed class ConformanceRunOptions
{
    /// <summary>
    /// Which cases run: comma-separated ids, id prefixes ending in <c>*</c>, or category names
    /// (<c>CK-IDEM-*,Callbacks</c>). Empty: all.
    /// </summary>
    public string? Filter { get; set; }

    /// <summary>Cases run at once; exclusive cases always run alone, after the others. Default 4.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>How long one case may take before it fails as timed out. Default 60 s.</summary>
    public TimeSpan CaseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public Expectations Expectations { get; set; } = Expectations.None;

    /// <summary>Called as each case ends, from the thread that ran it.</summary>
    public Action<CaseResult>? OnCaseCompleted { get; set; }
}
