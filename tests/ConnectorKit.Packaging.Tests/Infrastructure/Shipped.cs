using System.Reflection;

namespace ConnectorKit.Packaging.Tests.Infrastructure;

/// <summary>
/// What the pack step left in artifacts/packages, and the build facts the tests compare it with (the version, the
/// repository URL), taken from the same Directory.Build.props that packed it.
/// </summary>
internal static class Shipped
{
    private static readonly Assembly Self = typeof(Shipped).Assembly;

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string Version { get; } = Metadata("PackageVersion");

    public static string RepositoryUrl { get; } = Metadata("RepositoryUrl");

    /// <summary>Grpc.Tools as restored for this project: its protoc and the well-known protos.</summary>
    public static string GrpcToolsRoot { get; } = Metadata("GrpcToolsRoot");

    /// <summary>The NuGet folder this repository restored into, used as the offline feed for third-party dependencies.</summary>
    public static string NuGetPackageRoot { get; } = Metadata("NuGetPackageRoot");

    public static string PackagesDirectory => Path.Combine(RepoRoot, "artifacts", "packages");

    /// <summary>Projects under src/ and connectors/ that deliberately ship no package, and why.</summary>
    public static IReadOnlyDictionary<string, string> NotPackaged { get; } = new Dictionary<string, string>
    {
        ["ConnectorKit.Gateway"] = "a deployable program, not a library: banks run it from a build or an image",
        ["ConnectorKit.Grpc.Generator"] = "a build-time protoc plugin: ConnectorKit.Contracts ships the code it generated",
    };

    /// <summary>Every package id the pack step must produce: one per project under src/ and connectors/, less <see cref="NotPackaged"/>.</summary>
    public static IReadOnlyList<string> ExpectedPackageIds { get; } =
        new[] { "src", "connectors" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(RepoRoot, folder), "*.csproj", SearchOption.AllDirectories))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(name => !NotPackaged.ContainsKey(name))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string ProjectDirectory(string packageId) =>
        new[] { "src", "connectors" }.Select(folder => Path.Combine(RepoRoot, folder, packageId)).Single(Directory.Exists);

    /// <summary>The plain archive of the proto folder that the pack step writes next to the packages.</summary>
    public static string ProtoArchive() => RequireFile(Path.Combine(PackagesDirectory, $"connectorkit-proto-{Version}.zip"));

    /// <summary>The path of a package; fails, saying how to produce the packages, when the pack step has not run.</summary>
    public static string Package(string packageId, string extension = ".nupkg") =>
        RequireFile(Path.Combine(PackagesDirectory, $"{packageId}.{Version}{extension}"));

    private static string RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing. These tests check what the pack step produced: run eng/test.sh, which packs after the build " +
                        "(or by hand: dotnet build ConnectorKit.sln -c Release && dotnet pack ConnectorKit.sln -c Release --no-build).");
        }

        return path;
    }

    private static string Metadata(string key) =>
        Self.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test project's build did not record {key}.");
}
