using System.IO.Compression;
using ConnectorKit.Packaging.Tests.Infrastructure;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Packaging.Tests;

/// <summary>
/// The proto files a bank in another language generates its server from: shipped whole in the contracts package
/// and in the plain archive, identical to the repository's, and compilable on their own.
/// </summary>
public sealed class ProtoDistributionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Services = ["connectorkit.v1.CreditDataService", "connectorkit.v1.LoanApplicationsService", "connectorkit.v1.LoanEventsService"];

    private static string RepoProtoFolder => Path.Combine(Shipped.RepoRoot, "proto", "connectorkit", "v1");

    [Fact]
    public void ContractsPackage_ProtoFolder_IsTheRepositoryContractByteForByte()
    {
        using var package = new NuGetPackage(Shipped.Package("ConnectorKit.Contracts"));

        var shipped = package.Files.Where(f => f.StartsWith("proto/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(RepoProtos().Select(p => "proto/connectorkit/v1/" + Path.GetFileName(p)), shipped);
        Assert.All(RepoProtos(), p => Assert.Equal(File.ReadAllBytes(p), package.Read("proto/connectorkit/v1/" + Path.GetFileName(p))));
    }

    [Fact]
    public void ProtoArchive_NextToThePackages_HoldsTheContractAndABufModule()
    {
        using var zip = ZipFile.OpenRead(Shipped.ProtoArchive());
        var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName.Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["buf.yaml", .. RepoProtos().Select(p => "proto/connectorkit/v1/" + Path.GetFileName(p))], entries);
    }

    [Fact]
    public async Task Protoc_OnTheProtosTakenFromThePackage_GeneratesJavaAndACompleteDescriptorSet()
    {
        using var temp = new TempDirectory("ck-protoc-");
        using (var package = new NuGetPackage(Shipped.Package("ConnectorKit.Contracts")))
        {
            package.ExtractFolder("proto/", temp.Path);
        }

        var java = Directory.CreateDirectory(temp.Combine("gen", "java")).FullName;
        var descriptorSet = temp.Combine("gen", "connectorkit-v1.binpb");
        var protos = Directory.GetFiles(temp.Combine("proto", "connectorkit", "v1"), "*.proto").Select(p => Path.GetRelativePath(temp.Combine("proto"), p).Replace('\\', '/')).Order(StringComparer.Ordinal);

        var result = await CommandLine.RunAsync(Protoc(),
            ["-I", temp.Combine("proto"), "-I", Path.Combine(Shipped.GrpcToolsRoot, "build", "native", "include"),
             "--java_out=" + java, "--descriptor_set_out=" + descriptorSet, "--include_imports", .. protos],
            temp.Path, Timeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        var set = FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(descriptorSet));
        var services = set.File.SelectMany(f => f.Service.Select(s => $"{f.Package}.{s.Name}")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Services, services);
        Assert.Contains(set.File, f => f.Name == "google/protobuf/timestamp.proto");
        Assert.True(File.Exists(Path.Combine(java, "com", "connectorkit", "v1", "SubmitApplicationRequest.java")), "protoc wrote no Java class for SubmitApplicationRequest.");
    }

    [Fact]
    public async Task BufGenerate_OnTheUnpackedArchive_WritesJavaWithTheDocumentedTemplate()
    {
        var buf = Path.Combine(Shipped.RepoRoot, "tools", "node_modules", ".bin", OperatingSystem.IsWindows() ? "buf.cmd" : "buf");
        Assert.True(File.Exists(buf), $"{buf} is missing: run eng/test.sh, which installs the npm tools.");
        using var temp = new TempDirectory("ck-buf-");
        ZipFile.ExtractToDirectory(Shipped.ProtoArchive(), temp.Path);
        // The template of docs/for-banks.md, its Java half: protoc's built-in generator, so nothing is fetched.
        File.WriteAllText(temp.Combine("buf.gen.yaml"),
            $"""
            version: v2
            plugins:
              - protoc_builtin: java
                protoc_path: {Protoc()}
                out: gen/java
            """);

        var result = await CommandLine.RunAsync(buf, ["generate"], temp.Path, Timeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(File.Exists(temp.Combine("gen", "java", "com", "connectorkit", "v1", "NotifyDisbursementRequest.java")),
            "buf generate wrote no Java class for NotifyDisbursementRequest.");
    }

    private static IEnumerable<string> RepoProtos() => Directory.GetFiles(RepoProtoFolder, "*.proto").Order(StringComparer.Ordinal);

    private static string Protoc()
    {
        var os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macosx" : "linux";
        var arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x64";
        var protoc = Path.Combine(Shipped.GrpcToolsRoot, "tools", $"{os}_{arch}", OperatingSystem.IsWindows() ? "protoc.exe" : "protoc");
        Assert.True(File.Exists(protoc), $"protoc is not at {protoc} (Grpc.Tools, restored with this project).");
        return protoc;
    }
}
