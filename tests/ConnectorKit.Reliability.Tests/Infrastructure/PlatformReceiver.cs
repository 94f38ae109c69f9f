using System.Net;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>
/// The platform: the real callback receiver (AddConnectorKitCallbacks / MapConnectorKitCallbacks on SQLite) on a
/// fixed port, with a handler that appends one row per effect to its own SQLite file. The effects table has no
/// unique key on purpose, so a duplicate effect shows up as a second row instead of being absorbed.
/// </summary>
public sealed class PlatformReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PlatformReceiver(WebApplication app, EffectLog effects)
    {
        _app = app;
        Effects = effects;
    }

    public EffectLog Effects { get; }

    public static async Task<PlatformReceiver> StartAsync(int port, string dataDirectory, string bankToken, string bankId)
    {
        var effects = new EffectLog(Path.Combine(dataDirectory, "effects.db"));
        // Content root away from the test directory, whose appsettings.json (the gateway's) would add its endpoints.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddConnectorKitCallbacks(options =>
        {
            options.BearerTokens[bankToken] = bankId;
            options.DataDirectory = dataDirectory;
        });
        builder.Services.AddSingleton<ILoanEventHandler>(effects);
        var app = builder.Build();
        app.MapConnectorKitCallbacks();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new PlatformReceiver(app, effects);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}

/// <summary>One effect the platform's handler carried out.</summary>
public sealed record Effect(long Order, string EventId, string ApplicationId, long Sequence, string Kind);

/// <summary>The platform's side effects, appended durably (synchronous=FULL) in the order the handler ran.</summary>
public sealed class EffectLog : ILoanEventHandler
{
    private readonly string _connectionString;

    public EffectLog(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS effects (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id       TEXT    NOT NULL,
                application_id TEXT    NOT NULL,
                sequence       INTEGER NOT NULL,
                kind           TEXT    NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM effects";
        return (long)command.ExecuteScalar()!;
    }

    public List<Effect> All()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, event_id, application_id, sequence, kind FROM effects ORDER BY id";
        using var reader = command.ExecuteReader();
        var effects = new List<Effect>();
        while (reader.Read())
        {
            effects.Add(new Effect(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
        }

        return effects;
    }

    public Task OnApprovalDecisionAsync(NotifyApprovalDecisionRequest request, LoanEventContext context, CancellationToken cancellationToken)
        => Append(context, "decision");

    public Task OnDisbursementAsync(NotifyDisbursementRequest request, LoanEventContext context, CancellationToken cancellationToken)
        => Append(context, "disbursement");

    private Task Append(LoanEventContext context, string kind)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO effects (event_id, application_id, sequence, kind) VALUES ($event, $application, $sequence, $kind)";
        command.Parameters.AddWithValue("$event", context.EventId);
        command.Parameters.AddWithValue("$application", context.ApplicationId);
        command.Parameters.AddWithValue("$sequence", (long)context.Sequence);
        command.Parameters.AddWithValue("$kind", kind);
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
