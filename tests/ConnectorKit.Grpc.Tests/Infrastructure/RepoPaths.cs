namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>Where the repository's tools and scripts are, found from the test binaries upwards.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConnectorKit.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ConnectorKit.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootPath.Value;

    public static string GrpcJsDirectory => Path.Combine(Root, "tests", "interop", "grpc-js");

    /// <summary>The buf CLI installed by the test command's <c>npm ci</c> in tools/.</summary>
    public static string Buf => Path.Combine(Root, "tools", "node_modules", ".bin", "buf");
}
