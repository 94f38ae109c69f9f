using System.IO.Compression;
using System.Xml.Linq;

namespace ConnectorKit.Packaging.Tests.Infrastructure;

/// <summary>A .nupkg or .snupkg opened as the zip it is, with its nuspec parsed.</summary>
internal sealed class NuGetPackage : IDisposable
{
    private readonly ZipArchive _zip;

    public NuGetPackage(string path)
    {
        _zip = ZipFile.OpenRead(path);
        var nuspec = _zip.Entries.Single(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        Metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public XElement Metadata { get; }

    public IReadOnlyList<string> Files => _zip.Entries.Select(e => e.FullName).ToList();

    public string? Value(string element) => Element(element)?.Value;

    public XElement? Element(string element) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == element);

    /// <summary>(id, version) of every dependency in every target-framework group.</summary>
    public IReadOnlyList<(string Id, string Version)> Dependencies =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!))
            .ToList();

    public byte[] Read(string entry)
    {
        using var stream = _zip.GetEntry(entry)?.Open() ?? throw new FileNotFoundException($"{entry} is not in the package.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public XDocument ReadXml(string entry) => XDocument.Load(new MemoryStream(Read(entry)));

    /// <summary>Writes the entries under <paramref name="prefix"/> below <paramref name="directory"/>, keeping their relative paths.</summary>
    public void ExtractFolder(string prefix, string directory)
    {
        foreach (var entry in _zip.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
        {
            var target = Path.Combine(directory, entry.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target);
        }
    }

    public void Dispose() => _zip.Dispose();
}
