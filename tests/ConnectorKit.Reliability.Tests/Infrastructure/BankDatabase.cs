using Microsoft.Data.Sqlite;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>Reads the reference bank's SQLite file directly: what the bank committed, whatever its process went through.</summary>
public static class BankDatabase
{
    /// <summary>Each application with the sequence of its last callback event; the bank emitted events 1..that number.</summary>
    public static Dictionary<string, long> LastSequences(string dataDirectory)
        => Query(dataDirectory, "SELECT application_id, last_sequence FROM applications", r => (r.GetString(0), r.GetInt64(1)))
            .ToDictionary(row => row.Item1, row => row.Item2, StringComparer.Ordinal);

    /// <summary>Events still waiting for the platform's acknowledgement.</summary>
    public static long PendingEvents(string dataDirectory) => Scalar(dataDirectory, "SELECT COUNT(*) FROM outbox");

    public static long DeadLetters(string dataDirectory) => Scalar(dataDirectory, "SELECT COUNT(*) FROM dead_letters");

    public static HashSet<string> ProfileCreditCodes(string dataDirectory)
        => [.. Query(dataDirectory, "SELECT credit_code FROM profiles", r => r.GetString(0))];

    private static long Scalar(string dataDirectory, string sql) => Query(dataDirectory, sql, r => r.GetInt64(0)).Single();

    private static List<T> Query<T>(string dataDirectory, string sql, Func<SqliteDataReader, T> read)
    {
        // No pooling: a connection left open would hold the file while the bank restarts on it.
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "connectorkit.db"),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
