using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Conformance.Tests.ServerMode;
using ConnectorKit.Connectors.BatchFile.Testing;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>The whole suite against the batch-file connector: return files dropped into its inbox as the bank, WireMock taking the file-transfer notifications.</summary>
public sealed class BatchFileConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunAsync_BatchFileConnector_EveryCasePassesOrSkipsForAnUndeclaredCapability()
    {
        await using var target = await ConnectorTarget.StartAsync(new BatchFileTestKit()).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Parallelism = 4 }).WaitAsync(Timeout);

        Assert.True(report.Succeeded, ReferenceBankConformanceTests.Describe(report));
        Assert.All(report.Cases.Where(c => c.Outcome == ConformanceOutcome.Skipped), c => Assert.StartsWith("the target does not declare", c.Reason, StringComparison.Ordinal));
        Assert.Contains(report.Cases, c => c.Id == "CK-IDEM-002" && c.Outcome == ConformanceOutcome.Passed);
    }
}
