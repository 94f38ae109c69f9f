using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Conformance.Tests.ServerMode;
using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.OpenPlatform.Testing;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>The whole suite in connector mode: each reference connector behind the gateway, WireMock as its bank.</summary>
public sealed class ConnectorConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>Every connector under connectors/, by name; the guard below fails when one is missing.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IConnectorTestKit>> Kits = new Dictionary<string, Func<IConnectorTestKit>>
    {
        ["rest-json"] = () => new RestJsonTestKit(),
        ["open-platform"] = () => new OpenPlatformTestKit(),
        ["batch-file"] = () => new BatchFileTestKit(),
    };

    public static TheoryData<string> Connectors => [.. Kits.Keys];

    public static IConnectorTestKit Kit(string name) => Kits[name]();

    [Theory]
    [MemberData(nameof(Connectors))]
    public async Task RunAsync_ReferenceConnector_EveryCasePassesOrSkipsForADeclaredCapabilityAndLogsNoPersonalData(string connector)
    {
        ConformanceReport report;
        var kit = Kit(connector);
        var logs = new InMemoryLoggerProvider();
        await using (var target = await ConnectorTarget.StartAsync(kit, logging: l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)).WaitAsync(Timeout))
        {
            report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Parallelism = 4 }).WaitAsync(Timeout);
        }

        Assert.True(report.Succeeded, ReferenceBankConformanceTests.Describe(report));
        Assert.All(report.Cases.Where(c => c.Outcome == ConformanceOutcome.Skipped), c => Assert.StartsWith("the target does not declare", c.Reason, StringComparison.Ordinal));
        Assert.Contains(report.Cases, c => c.Id == "CK-IDEM-002" && c.Outcome == ConformanceOutcome.Passed);
        Assert.Equal(
            Kit(connector).Connector.Capabilities.HasFlag(ConnectorKit.Connectors.ConnectorCapabilities.OnlineSubmission),
            report.Cases.Single(c => c.Id == "CK-ERR-001").Outcome == ConformanceOutcome.Passed);
        foreach (var category in Enum.GetValues<ConformanceCategory>())
        {
            var cases = report.Cases.Where(c => c.Category == category).ToList();
            Assert.True(
                cases.Any(c => c.Outcome != ConformanceOutcome.Skipped) || cases.All(c => c.Reason.StartsWith("the target does not declare", StringComparison.Ordinal)),
                $"{connector} ran no case of {category} and did not say why.");
        }

        // The whole suite pushes credit codes, phones, account numbers and secrets through the gateway at every level.
        var lines = logs.Lines.Select(l => l.FullText).ToList();
        Assert.NotEmpty(lines);
        var leaks = SensitiveDataGuard.FindLeaks(lines, KnownSecrets);
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines of {connector} hold personal data or a secret, e.g.: {string.Join(" | ", leaks.Take(3))}");
        Assert.DoesNotContain(lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    /// <summary>Secrets the kits configure the connectors with, which no log line may hold.</summary>
    private static readonly string[] KnownSecrets = ["ck-secret-0123456789", "at-rest-json-test-0001"];

    [Fact]
    public void Kits_EveryConnectorUnderConnectorsFolder_RunsTheSuite()
    {
        var root = RepositoryRoot();
        var packages = Directory.GetDirectories(Path.Combine(root, "connectors")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

        var names = new List<string>();
        foreach (var package in packages)
        {
            System.Reflection.Assembly assembly;
            try
            {
                assembly = System.Reflection.Assembly.Load(package);
            }
            catch (FileNotFoundException)
            {
                throw new Xunit.Sdk.XunitException($"connectors/{package} is not referenced by the conformance tests: reference it and add its test kit to ConnectorConformanceTests.Kits.");
            }

            var kit = assembly.GetTypes().SingleOrDefault(t => typeof(IConnectorTestKit).IsAssignableFrom(t) && !t.IsAbstract)
                ?? throw new Xunit.Sdk.XunitException($"connectors/{package} ships no IConnectorTestKit, so the suite cannot drive it (docs/connectors/writing-a-connector.md).");
            names.Add(((IConnectorTestKit)Activator.CreateInstance(kit)!).Connector.Name);
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), Kits.Keys.Order(StringComparer.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConnectorKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No ConnectorKit.sln above " + AppContext.BaseDirectory);
    }
}
