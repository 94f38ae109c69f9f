namespace ConnectorKit.Connectors.Testing.Internal;

/// <summary>Finds the standalone jar that tools/package.json installs, and the java to run it.</summary>
internal static class WireMockLocator
{
    private const string SolutionFile = "ConnectorKit.sln";

    public static string FindJar(string? configured)
    {
        var explicitPath = configured ?? NullIfEmpty(Environment.GetEnvironmentVariable(WireMockStartOptions.JarEnvironmentVariable));
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new InvalidOperationException(
                    $"The WireMock jar '{explicitPath}' does not exist. Run eng/test.sh (it installs tools/ with npm ci) or fix the path.");
        }

        var root = FindRepositoryRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException(
                $"No {SolutionFile} above {AppContext.BaseDirectory}, so the WireMock jar cannot be found in tools/. " +
                $"Set {WireMockStartOptions.JarEnvironmentVariable} or WireMockStartOptions.JarPath.");
        var build = Path.Combine(root, "tools", "node_modules", "wiremock", "build");
        var jar = Directory.Exists(build)
            ? Directory.GetFiles(build, "wiremock-standalone-*.jar").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault()
            : null;
        return jar ?? throw new InvalidOperationException(
            $"The WireMock jar is not in {build}. Run eng/test.sh (it runs npm ci in tools/), " +
            $"or set {WireMockStartOptions.JarEnvironmentVariable}.");
    }

    public static string FindJava(string? configured)
    {
        if (configured is not null)
        {
            return configured;
        }

        var javaHome = NullIfEmpty(Environment.GetEnvironmentVariable("JAVA_HOME"));
        if (javaHome is not null)
        {
            var candidate = Path.Combine(javaHome, "bin", OperatingSystem.IsWindows() ? "java.exe" : "java");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "java";
    }

    internal static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
