using ConnectorKit.Packaging.Tests.Infrastructure;

namespace ConnectorKit.Packaging.Tests;

/// <summary>The connectorkit command as a user gets it: installed by dotnet tool from the packages folder, then run.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _temp = new("ck-tool-");

    [Fact]
    public async Task InstalledTool_HelpAndConformanceList_ExitZeroAndListTheCases()
    {
        var toolPath = _temp.Combine("tools");
        var install = await InstallAsync(toolPath);
        Assert.True(install.ExitCode == 0, install.Describe());
        var connectorkit = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "connectorkit.exe" : "connectorkit");

        var help = await CommandLine.RunAsync(connectorkit, ["--help"], _temp.Path, Timeout);
        var list = await CommandLine.RunAsync(connectorkit, ["conformance", "list"], _temp.Path, Timeout);

        Assert.True(help.ExitCode == 0, help.Describe());
        Assert.Contains("conformance", help.StandardOutput, StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.Describe());
        Assert.Contains("CK-IDEM-002", list.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("CK-SEC-002", list.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private Task<CommandResult> InstallAsync(string toolPath)
    {
        Shipped.Package("ConnectorKit.Cli");
        // A NuGet cache of its own: a ConnectorKit.Cli of the same version cached by an earlier run would otherwise
        // be installed instead of the package just built.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = _temp.Combine("nuget-packages") };
        return CommandLine.RunAsync(CommandLine.Dotnet,
            ["tool", "install", "ConnectorKit.Cli", "--version", Shipped.Version, "--tool-path", toolPath, "--add-source", Shipped.PackagesDirectory],
            _temp.Path, Timeout, environment);
    }
}
