using Microsoft.Data.Sqlite;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>A temporary directory for one test's databases, removed afterwards.</summary>
public sealed class Scratch : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ck-reliability-").FullName;

    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        // Pooled SQLite connections keep their files open.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
