using System.Xml.Linq;
using ConnectorKit.Packaging.Tests.Infrastructure;

namespace ConnectorKit.Packaging.Tests;

/// <summary>What a NuGet user sees of each package: it exists, says what it is, and carries its docs and symbols.</summary>
public sealed class PackageContentsTests
{
    public static TheoryData<string> PackageIds => new(Shipped.ExpectedPackageIds);

    [Fact]
    public void PackagesFolder_AfterPack_HoldsOnePackageAndOneSymbolPackagePerLibraryAndNothingElse()
    {
        foreach (var id in Shipped.ExpectedPackageIds)
        {
            Shipped.Package(id);
        }

        var found = Directory.GetFiles(Shipped.PackagesDirectory, "ConnectorKit.*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

        var expected = Shipped.ExpectedPackageIds
            .SelectMany(id => new[] { $"{id}.{Shipped.Version}.nupkg", $"{id}.{Shipped.Version}.snupkg" })
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, found);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Nuspec_EachPackage_CarriesIdVersionDescriptionLicenseRepositoryAndReadme(string id)
    {
        using var package = new NuGetPackage(Shipped.Package(id));
        var project = Project(id);

        var license = package.Element("license");
        var repository = package.Element("repository");

        Assert.Equal(id, package.Value("id"));
        Assert.Equal(Shipped.Version, package.Value("version"));
        Assert.Equal(ProjectProperty(project, "Description"), package.Value("description"));
        Assert.Equal("expression", (string?)license?.Attribute("type"));
        Assert.Equal("MIT", license?.Value);
        Assert.Equal(Shipped.RepositoryUrl, (string?)repository?.Attribute("url"));
        Assert.Equal("git", (string?)repository?.Attribute("type"));
        Assert.Equal("README.md", package.Value("readme"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Shipped.ProjectDirectory(id), "README.md")), package.Read("README.md"));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Package_EachLibrary_CarriesItsAssemblyWithXmlDocs(string id)
    {
        using var package = new NuGetPackage(Shipped.Package(id));
        var assembly = ProjectProperty(Project(id), "AssemblyName") ?? id;

        var isTool = package.Element("packageTypes")?.Elements().Any(e => (string?)e.Attribute("name") == "DotnetTool") == true;
        var folder = isTool ? "tools/net10.0/any/" : "lib/net10.0/";

        Assert.Contains(folder + assembly + ".dll", package.Files);
        Assert.Contains(folder + assembly + ".xml", package.Files);
        Assert.True(package.ReadXml(folder + assembly + ".xml").Descendants("member").Any(),
            $"{id}'s XML documentation documents no member.");
    }

    [Fact]
    public void CliPackage_PackedAsTool_IsTheConnectorkitCommand()
    {
        using var package = new NuGetPackage(Shipped.Package("ConnectorKit.Cli"));

        var settings = package.ReadXml("tools/net10.0/any/DotnetToolSettings.xml");
        var command = settings.Descendants("Command").Single();

        Assert.Contains(package.Element("packageTypes")!.Elements(), e => (string?)e.Attribute("name") == "DotnetTool");
        Assert.Equal("connectorkit", (string?)command.Attribute("Name"));
        Assert.Equal("connectorkit.dll", (string?)command.Attribute("EntryPoint"));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void SymbolPackage_EachPackage_CarriesThePdb(string id)
    {
        using var symbols = new NuGetPackage(Shipped.Package(id, ".snupkg"));
        var assembly = ProjectProperty(Project(id), "AssemblyName") ?? id;

        var pdbs = symbols.Files.Where(f => f.EndsWith(".pdb", StringComparison.Ordinal)).Select(Path.GetFileName).ToList();

        Assert.Equal(id, symbols.Value("id"));
        Assert.Equal(Shipped.Version, symbols.Value("version"));
        Assert.Contains(assembly + ".pdb", pdbs);
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Dependencies_OnOtherConnectorKitPackages_AreShippedInTheSameVersion(string id)
    {
        using var package = new NuGetPackage(Shipped.Package(id));

        var ours = package.Dependencies.Where(d => d.Id.StartsWith("ConnectorKit.", StringComparison.Ordinal)).ToList();

        Assert.All(ours, d =>
        {
            Assert.Contains(d.Id, Shipped.ExpectedPackageIds);
            Assert.Equal(Shipped.Version, d.Version);
        });
    }

    private static XDocument Project(string id) => XDocument.Load(Path.Combine(Shipped.ProjectDirectory(id), id + ".csproj"));

    private static string? ProjectProperty(XDocument project, string name) =>
        project.Descendants(name).Select(e => e.Value).SingleOrDefault();
}
