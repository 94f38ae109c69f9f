using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Conformance.Tests.ServerMode;
using ConnectorKit.Connectors.OpenPlatform.Testing;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>The whole suite against the open-platform connector, its gateway bank played by WireMock and the kit.</summary>
public sealed class OpenPlatformConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunAsync_OpenPlatformConnector_EveryCasePassesOrSkipsForAnUndeclaredCapability()
    {
        await using var target = await ConnectorTarget.StartAsync(new OpenPlatformTestKit()).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Parallelism = 4 }).WaitAsync(Timeout);

        Assert.True(report.Succeeded, ReferenceBankConformanceTests.Describe(report));
        Assert.All(report.Cases.Where(c => c.Outcome == ConformanceOutcome.Skipped), c => Assert.StartsWith("the target does not declare", c.Reason, StringComparison.Ordinal));
        Assert.Contains(report.Cases, c => c.Id == "CK-IDEM-002" && c.Outcome == ConformanceOutcome.Passed);
        Assert.Contains(report.Cases, c => c.Id == "CK-ERR-001" && c.Outcome == ConformanceOutcome.Passed);
    }
}
