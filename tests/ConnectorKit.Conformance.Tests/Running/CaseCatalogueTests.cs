using System.Text.RegularExpressions;
using ConnectorKit.Conformance.Running;

namespace ConnectorKit.Conformance.Tests.Running;

/// <summary>The published list of cases (docs/for-integrators.md) and the suite cannot drift apart.</summary>
public sealed partial class CaseCatalogueTests
{
    [Fact]
    public void ForIntegrators_CaseTable_ListsExactlyTheSuitesCasesWithTheirTitles()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "for-integrators.md"));
        var documented = CaseRow().Matches(doc).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["title"].Value.Trim());

        var cases = ConformanceCase.Discover(typeof(ConformanceRunner).Assembly);

        Assert.Equal(cases.Select(c => c.Id).Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        Assert.All(cases, c => Assert.Equal(c.Attribute.Title, documented[c.Id]));
    }

    [Fact]
    public void Discover_EveryCase_HasARuleAndAnIdMatchingItsCategory()
    {
        var prefixes = new Dictionary<ConformanceCategory, string>
        {
            [ConformanceCategory.ContractShape] = "CK-SHAPE-",
            [ConformanceCategory.Validation] = "CK-VAL-",
            [ConformanceCategory.Consent] = "CK-CONS-",
            [ConformanceCategory.Idempotency] = "CK-IDEM-",
            [ConformanceCategory.StateMachine] = "CK-LOAN-",
            [ConformanceCategory.Callbacks] = "CK-CB-",
            [ConformanceCategory.ErrorsAndFaults] = "CK-ERR-",
            [ConformanceCategory.Security] = "CK-SEC-",
            [ConformanceCategory.Performance] = "CK-PERF-",
        };

        var cases = ConformanceCase.Discover(typeof(ConformanceRunner).Assembly);

        Assert.All(cases, c => Assert.StartsWith(prefixes[c.Category], c.Id, StringComparison.Ordinal));
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Attribute.Rule), c.Id + " has no rule"));
        Assert.Equal(prefixes.Keys.Order(), cases.Select(c => c.Category).Distinct().Order());
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

    [GeneratedRegex(@"^\| (?<id>CK-[A-Z]+-\d+) \| (?<title>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex CaseRow();
}
