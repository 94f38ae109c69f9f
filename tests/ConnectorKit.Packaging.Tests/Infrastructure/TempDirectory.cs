namespace ConnectorKit.Packaging.Tests.Infrastructure;

/// <summary>A fresh directory outside the repository (so no Directory.Build.props or nuget.config of ours applies), deleted at the end.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A child process that was just killed may still hold a file; the OS cleans the temp folder later.
        }
    }
}
