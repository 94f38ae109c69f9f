namespace ConnectorKit.Grpc.Tests.Client.Infrastructure;

/// <summary>Where the interop peers and the installed tools are, found from the test binaries upwards.</summary>
internal static class ClientRepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Directory.Packages.props not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    public static string GrpcJsServer => Path.Combine(Root, "tests", "interop", "grpc-js", "server.js");

    public static string GrpcJsPackage => Path.Combine(Root, "tools", "node_modules", "@grpc", "grpc-js");
}
