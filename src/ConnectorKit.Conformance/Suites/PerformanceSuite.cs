using System.Diagnostics;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Conformance.Suites;

/// <summary>A smoke check, not a benchmark: reads answer quickly enough for an interactive platform.</summary>
[SuiteCategory(ConformanceCategory.Performance)]
public class PerformanceSuite : ContractSuite
{
    /// <summary>Above this p95 the case warns.</summary>
    public static readonly TimeSpan WarnAbove = TimeSpan.FromMilliseconds(250);

    /// <summary>Above this p95 the case fails.</summary>
    public static readonly TimeSpan FailAbove = TimeSpan.FromSeconds(2);

    [ConformanceCase("CK-PERF-001", "GetApplication answers 40 sequential reads with p95 under 2 s (a warning above 250 ms)", Rule = "design: application to money in 48 hours", Exclusive = true)]
    public virtual async Task ReadLatency()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        var reads = new List<TimeSpan>();

        for (var i = 0; i < 40; i++)
        {
            var clock = Stopwatch.StartNew();
            await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = application.ApplicationId }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);
            reads.Add(clock.Elapsed);
        }

        reads.Sort();
        var p95 = reads[(int)Math.Ceiling(reads.Count * 0.95) - 1];
        Evidence("latency", $"p50 {reads[reads.Count / 2].TotalMilliseconds:0.0} ms, p95 {p95.TotalMilliseconds:0.0} ms, max {reads[^1].TotalMilliseconds:0.0} ms over {reads.Count} reads");
        Require(p95 <= FailAbove, $"GetApplication p95 was {p95.TotalMilliseconds:0} ms over 40 reads; an interactive platform needs well under {FailAbove.TotalSeconds:0} s.");
        if (p95 > WarnAbove)
        {
            Warn($"GetApplication p95 was {p95.TotalMilliseconds:0} ms; above {WarnAbove.TotalMilliseconds:0} ms a platform's pages feel slow.");
        }
    }
}
