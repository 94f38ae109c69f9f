using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ConnectorKit.Contracts.Tests;

/// <summary>Each docs/*.svg was rendered from the current docs/*.dot, so a picture cannot drift from its source.</summary>
public sealed partial class DiagramTests
{
    private static readonly string Docs = Path.Combine(BufTool.Root, "docs");

    [Fact]
    public void Diagrams_CheckedIn_RenderedFromTheirCurrentSource()
    {
        var sources = Directory.GetFiles(Docs, "*.dot");

        var stale = StaleDiagrams(Docs);

        Assert.NotEmpty(sources);
        Assert.True(stale.Count == 0, "Run docs/render-diagrams.sh (needs Graphviz: apt-get install -y graphviz):\n" + string.Join("\n", stale));
    }

    [Fact]
    public void StaleDiagrams_SourceEditedAfterRendering_ReportsIt()
    {
        var copy = Directory.CreateTempSubdirectory("ck-diagrams-").FullName;
        File.Copy(Path.Combine(Docs, "architecture.dot"), Path.Combine(copy, "architecture.dot"));
        File.Copy(Path.Combine(Docs, "architecture.svg"), Path.Combine(copy, "architecture.svg"));
        var before = StaleDiagrams(copy);
        File.AppendAllText(Path.Combine(copy, "architecture.dot"), "// an edit\n");

        var after = StaleDiagrams(copy);

        Assert.Empty(before);
        Assert.Equal(["architecture.svg was rendered from another version of architecture.dot"], after);
        Directory.Delete(copy, recursive: true);
    }

    [Fact]
    public void Readme_ShowsTheArchitectureDiagram()
    {
        var readme = File.ReadAllText(Path.Combine(BufTool.Root, "README.md"));

        Assert.Contains("](docs/architecture.svg)", readme, StringComparison.Ordinal);
    }

    /// <summary>The SVGs whose embedded source hash (written by docs/render-diagrams.sh) is not their source's.</summary>
    private static List<string> StaleDiagrams(string directory)
    {
        var stale = new List<string>();
        foreach (var source in Directory.GetFiles(directory, "*.dot").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(source);
            var svg = Path.ChangeExtension(source, ".svg");
            if (!File.Exists(svg))
            {
                stale.Add($"{name} has no {Path.GetFileName(svg)}");
                continue;
            }

            // A checkout with CRLF line endings must hash as the LF file the script rendered.
            var text = File.ReadAllText(source).ReplaceLineEndings("\n");
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            var embedded = SourceHash().Match(File.ReadAllText(svg));
            if (!embedded.Success || embedded.Groups[1].Value != hash)
            {
                stale.Add($"{Path.GetFileName(svg)} was rendered from another version of {name}");
            }
        }

        return stale;
    }

    [GeneratedRegex(@"<!-- source: \S+ sha256: ([0-9a-f]{64}) ")]
    private static partial Regex SourceHash();
}
