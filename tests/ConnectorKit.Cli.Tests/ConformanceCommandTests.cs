using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Tests.ServerMode;

namespace ConnectorKit.Cli.Tests;

/// <summary>The connectorkit command as an integrator runs it: exit codes, console, and the three reports.</summary>
public sealed partial class ConformanceCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _directory = Directory.CreateTempSubdirectory("ck-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Run_TargetFileForTheReferenceBank_ExitsZeroAndWritesReportsAChromiumReaderAgreesWith()
    {
        await using var bank = await ReferenceBankProcess.StartAsync().WaitAsync(Timeout);
        var targetFile = WriteTarget(bank);
        var reports = Path.Combine(_directory, "reports");

        var (exit, output, error) = await RunAsync("conformance", "run", "--target", targetFile, "--report-dir", reports, "--parallel", "4");

        Assert.True(exit == 0, output + error);
        Assert.Contains("PASSED", output, StringComparison.Ordinal);
        Assert.Contains(ConformanceRunner.SuiteVersion, output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "report.json")));
        var totals = json.RootElement.GetProperty("totals");
        Assert.Equal(0, totals.GetProperty("failed").GetInt32());
        var junit = XDocument.Load(Path.Combine(reports, "junit.xml"));
        Assert.Equal(totals.GetProperty("cases").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), junit.Root!.Attribute("tests")!.Value);

        var dom = await HeadlessChromium.DumpDomAsync(Path.Combine(reports, "report.html"), TimeSpan.FromSeconds(60));

        var summary = SummaryElement().Match(dom);
        Assert.True(summary.Success, "the rendered page has no #summary element");
        Assert.Contains("data-verdict=\"PASSED\"", summary.Value, StringComparison.Ordinal);
        Assert.Contains($"data-passed=\"{totals.GetProperty("passed").GetInt32()}\"", summary.Value, StringComparison.Ordinal);
        Assert.Contains($"data-skipped=\"{totals.GetProperty("skipped").GetInt32()}\"", summary.Value, StringComparison.Ordinal);
        Assert.Contains($"data-suite-version=\"{ConformanceRunner.SuiteVersion}\"", summary.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExpectationForACaseThatDoesNotExist_ExitsOneAndSaysWhich()
    {
        await using var bank = await ReferenceBankProcess.StartAsync().WaitAsync(Timeout);
        var targetFile = WriteTarget(bank);
        var expectations = Path.Combine(_directory, "expectations.json");
        await File.WriteAllTextAsync(expectations, """{"expectations":[{"case":"CK-NOPE-001","outcome":"skip","reason":"copied from another bank"}]}""");

        var (exit, output, _) = await RunAsync("conformance", "run", "--target", targetFile, "--filter", "CK-SHAPE-*", "--expectations", expectations);

        Assert.Equal(1, exit);
        Assert.Contains("CK-NOPE-001", output, StringComparison.Ordinal);
        Assert.Contains("FAILED", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "conformance", "run" }, "exactly one of --connector NAME or --target FILE")]
    [InlineData(new[] { "conformance", "run", "--connector", "no-such-bank" }, "no connector named 'no-such-bank'")]
    public async Task Run_WrongCommandLine_ExitsTwoAndSaysWhy(string[] args, string expected)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExpectationWithoutReason_ExitsTwoNamingTheEntry()
    {
        var targetFile = Path.Combine(_directory, "target.json");
        await File.WriteAllTextAsync(targetFile, """{"address":"http://127.0.0.1:9","bank_id":"b","driver":{"url":"http://127.0.0.1:9/"},"expectations":"exp.json"}""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "exp.json"), """{"expectations":[{"case":"CK-LOAN-003","outcome":"skip"}]}""");

        var (exit, _, error) = await RunAsync("conformance", "run", "--target", targetFile);

        Assert.Equal(2, exit);
        Assert.Contains("CK-LOAN-003", error, StringComparison.Ordinal);
        Assert.Contains("no \"reason\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Filter_ShowsCasesWithTheirRules()
    {
        var (exit, output, _) = await RunAsync("conformance", "list", "--filter", "CK-IDEM-*");

        Assert.Equal(0, exit);
        Assert.Contains("CK-IDEM-001", output, StringComparison.Ordinal);
        Assert.Contains("request_id", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CK-LOAN-001", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connectors_EveryPackageUnderConnectorsFolder_IsListedWithItsCapabilities()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "ConnectorKit.sln")))
        {
            root = root.Parent!;
        }

        var packages = Directory.GetDirectories(Path.Combine(root.FullName, "connectors")).Length;

        var (exit, output, _) = await RunAsync("conformance", "connectors");

        Assert.Equal(0, exit);
        Assert.Equal(packages, ConnectorCatalog.BuiltIn.Kits.Count);
        Assert.All(ConnectorCatalog.BuiltIn.Kits, kit => Assert.Contains(kit.Connector.Name + "  capabilities: " + kit.Connector.Capabilities, output, StringComparison.Ordinal));
    }

    private string WriteTarget(ReferenceBankProcess bank)
    {
        var path = Path.Combine(_directory, "target.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = "reference bank",
            ["address"] = bank.GrpcAddress.ToString(),
            ["bank_id"] = ReferenceBankProcess.BankId,
            ["token"] = ReferenceBankProcess.Token,
            ["other_platform_token"] = ReferenceBankProcess.OtherToken,
            ["callback_listen"] = $"http://127.0.0.1:{bank.CallbackPort}",
            ["driver"] = new Dictionary<string, string> { ["url"] = bank.DriverAddress.ToString(), ["token"] = ReferenceBankProcess.DriverToken },
        }));
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await ConnectorKitCommand.RunAsync(args, ConnectorCatalog.BuiltIn, output, error).WaitAsync(Timeout);
        return (exit, output.ToString(), error.ToString());
    }

    [GeneratedRegex("<section id=\"summary\"[^>]*>")]
    private static partial Regex SummaryElement();
}
