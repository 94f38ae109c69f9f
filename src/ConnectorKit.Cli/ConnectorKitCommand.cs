using System.CommandLine;
using ConnectorKit.Conformance;
using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using Spectre.Console;

namespace ConnectorKit.Cli;

/// <summary>
/// <c>connectorkit conformance run|list|connectors</c>. Exit codes: 0 every case passed (or failed as expected),
/// 1 a case failed or the run had errors, 2 the command line, target file or expectations file is wrong.
/// </summary>
internal static class ConnectorKitCommand
{
    public const int Success = 0;
    public const int CasesFailed = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, ConnectorCatalog catalog, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = ReferenceEquals(output, Console.Out) ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = ReferenceEquals(output, Console.Out) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
        {
            // A file or a CI log has no width of its own; wide enough that tables do not wrap ids and rules.
            console.Profile.Width = 200;
        }

        var connector = new Option<string?>("--connector") { Description = "Run in connector mode against this connector, with WireMock standing in for its bank (see 'conformance connectors')." };
        var target = new Option<FileInfo?>("--target") { Description = "Run in server mode against the live bank described by this target file (JSON; see docs/for-integrators.md)." };
        var filter = new Option<string?>("--filter") { Description = "Cases to run: ids, id prefixes ending in *, or categories, comma-separated (e.g. CK-IDEM-*,Callbacks)." };
        var parallel = new Option<int>("--parallel") { Description = "Cases run at once; cases that inject faults always run alone.", DefaultValueFactory = _ => 4 };
        var reportDir = new Option<DirectoryInfo?>("--report-dir") { Description = "Write junit.xml, report.json and report.html here." };
        var expectations = new Option<FileInfo?>("--expectations") { Description = "Expected failures and skips, each with a reason (JSON). Overrides the target file's." };
        var wireMockUrl = new Option<Uri?>("--wiremock-url") { Description = "Use a WireMock already running here instead of starting the jar (connector mode)." };
        var caseTimeout = new Option<int>("--case-timeout") { Description = "Seconds one case may take.", DefaultValueFactory = _ => 60 };

        var run = new Command("run", "Run the suite and report every case with its rule, result, reason and evidence.")
        {
            connector, target, filter, parallel, reportDir, expectations, wireMockUrl, caseTimeout,
        };
        run.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunSuiteAsync(
                    console,
                    error,
                    catalog,
                    parse.GetValue(connector),
                    parse.GetValue(target),
                    new ConformanceRunOptions
                    {
                        Filter = parse.GetValue(filter),
                        Parallelism = Math.Max(1, parse.GetValue(parallel)),
                        CaseTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(caseTimeout))),
                    },
                    parse.GetValue(expectations),
                    parse.GetValue(reportDir),
                    parse.GetValue(wireMockUrl),
                    ct).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                await error.WriteLineAsync("connectorkit: " + ex.Message).ConfigureAwait(false);
                return UsageError;
            }
        });

        var listFilter = new Option<string?>("--filter") { Description = "As for run." };
        var list = new Command("list", "List the cases: id, category, what must hold, and the rule it comes from.") { listFilter };
        list.SetAction(parse =>
        {
            var table = new Table().AddColumns("case", "category", "what must hold", "rule");
            foreach (var c in new ConformanceRunner().Select(parse.GetValue(listFilter)))
            {
                table.AddRow(Markup.Escape(c.Id), c.Category.ToString(), Markup.Escape(c.Attribute.Title), Markup.Escape(c.Attribute.Rule));
            }

            console.Write(table);
            console.WriteLine($"suite {ConformanceRunner.SuiteVersion}");
            return Success;
        });

        var connectors = new Command("connectors", "List the connectors --connector can name.");
        connectors.SetAction(_ =>
        {
            foreach (var kit in catalog.Kits)
            {
                console.WriteLine($"{kit.Connector.Name}  capabilities: {kit.Connector.Capabilities}");
            }

            return Success;
        });

        var conformance = new Command("conformance", "The ConnectorKit conformance suite.") { run, list, connectors };
        var root = new RootCommand("ConnectorKit: check bank connectors and bank servers against the v1 contract.") { conformance };
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        return await root.Parse(args).InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunSuiteAsync(
        IAnsiConsole console,
        TextWriter error,
        ConnectorCatalog catalog,
        string? connectorName,
        FileInfo? targetFile,
        ConformanceRunOptions options,
        FileInfo? expectationsFile,
        DirectoryInfo? reportDir,
        Uri? wireMockUrl,
        CancellationToken cancellationToken)
    {
        if ((connectorName is null) == (targetFile is null))
        {
            await error.WriteLineAsync("connectorkit: give exactly one of --connector NAME or --target FILE.").ConfigureAwait(false);
            return UsageError;
        }

        ServerTargetOptions? serverOptions = null;
        if (targetFile is not null)
        {
            serverOptions = ServerTargetOptions.Load(targetFile.FullName);
            if (expectationsFile is null && serverOptions.Expectations is not null)
            {
                expectationsFile = new FileInfo(Path.Combine(serverOptions.BaseDirectory, serverOptions.Expectations));
            }
        }

        var kit = connectorName is null ? null : catalog.Find(connectorName);
        if (connectorName is not null && kit is null)
        {
            await error.WriteLineAsync($"connectorkit: no connector named '{connectorName}'; available: {catalog.Names}.").ConfigureAwait(false);
            return UsageError;
        }

        if (expectationsFile is not null)
        {
            options.Expectations = Expectations.Load(expectationsFile.FullName);
        }

        console.MarkupLine($"ConnectorKit conformance [bold]{Markup.Escape(ConformanceRunner.SuiteVersion)}[/]");
        var done = 0;
        var selected = new ConformanceRunner().Select(options.Filter).Count;
        var gate = new object();
        options.OnCaseCompleted = result =>
        {
            lock (gate)
            {
                done++;
                console.MarkupLine($"[grey]{done,3}/{selected}[/] {Badge(result)} {Markup.Escape(result.Id)} {Markup.Escape(result.Title)} [grey]({result.Duration.TotalMilliseconds:0} ms)[/]");
                if (result.Outcome != ConformanceOutcome.Passed)
                {
                    console.MarkupLine($"          [grey]{Markup.Escape(result.Reason)}[/]");
                }
            }
        };

        ConformanceReport report;
        await using (IConformanceTarget target = kit is not null
            ? await ConnectorTarget.StartAsync(kit, wireMockUrl, cancellationToken).ConfigureAwait(false)
            : await ServerTarget.StartAsync(serverOptions!, cancellationToken).ConfigureAwait(false))
        {
            console.MarkupLine($"against [bold]{Markup.Escape(target.Name)}[/], {selected} cases, {options.Parallelism} at once");
            report = await new ConformanceRunner().RunAsync(target, options, cancellationToken).ConfigureAwait(false);
        }

        WriteSummary(console, report);
        if (reportDir is not null)
        {
            reportDir.Create();
            await File.WriteAllTextAsync(Path.Combine(reportDir.FullName, "junit.xml"), JUnitReportWriter.Write(report), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(reportDir.FullName, "report.json"), JsonReportWriter.Write(report), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(reportDir.FullName, "report.html"), HtmlReportWriter.Write(report), cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"reports: [link]{Markup.Escape(reportDir.FullName)}[/] (junit.xml, report.json, report.html)");
        }

        return report.Succeeded ? Success : CasesFailed;
    }

    private static void WriteSummary(IAnsiConsole console, ConformanceReport report)
    {
        var failed = report.Cases.Where(c => c.Outcome == ConformanceOutcome.Failed && !c.ExpectedFailure).ToList();
        console.WriteLine();
        if (failed.Count > 0)
        {
            var table = new Table().Title("failed").AddColumns("case", "reason", "rule");
            foreach (var c in failed)
            {
                table.AddRow(Markup.Escape(c.Id), Markup.Escape(c.Reason), Markup.Escape(c.Rule));
            }

            console.Write(table);
        }

        foreach (var runError in report.Errors)
        {
            console.MarkupLine($"[red]run error:[/] {Markup.Escape(runError)}");
        }

        console.MarkupLine(
            $"{(report.Succeeded ? "[green]PASSED[/]" : "[red]FAILED[/]")}: {report.Count(ConformanceOutcome.Passed)} passed, {failed.Count} failed, " +
            $"{report.Cases.Count(c => c.ExpectedFailure)} expected failures, {report.Count(ConformanceOutcome.Warning)} warnings, {report.Count(ConformanceOutcome.Skipped)} skipped " +
            $"in {report.Duration.TotalSeconds:0.0} s (suite {Markup.Escape(report.SuiteVersion)}, {Markup.Escape(report.Target)})");
    }

    private static string Badge(CaseResult result) => result.Outcome switch
    {
        ConformanceOutcome.Passed => "[green]pass[/]",
        ConformanceOutcome.Warning => "[yellow]warn[/]",
        ConformanceOutcome.Skipped => "[grey]skip[/]",
        _ when result.ExpectedFailure => "[grey]xfail[/]",
        _ => "[red]FAIL[/]",
    };
}
