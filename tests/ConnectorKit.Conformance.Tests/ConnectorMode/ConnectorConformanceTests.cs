using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Conformance.Tests.ServerMode;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>The whole suite in connector mode: each reference connector behind the gateway, WireMock as its bank.</summary>
public sealed class ConnectorConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static TheoryData<string> Connectors => ["rest-json"];

    public static IConnectorTestKit Kit(string name) => name switch
    {
        "rest-json" => new RestJsonTestKit(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Connectors))]
    public async Task RunAsync_ReferenceConnector_EveryCasePassesOrSkipsForADeclaredCapability(string connector)
    {
        var kit = Kit(connector);
        await using var target = await ConnectorTarget.StartAsync(kit).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Parallelism = 4 }).WaitAsync(Timeout);

        Assert.True(report.Succeeded, ReferenceBankConformanceTests.Describe(report));
        Assert.All(report.Cases.Where(c => c.Outcome == ConformanceOutcome.Skipped), c => Assert.StartsWith("the target does not declare", c.Reason, StringComparison.Ordinal));
        Assert.Contains(report.Cases, c => c.Id == "CK-IDEM-002" && c.Outcome == ConformanceOutcome.Passed);
    }
}
