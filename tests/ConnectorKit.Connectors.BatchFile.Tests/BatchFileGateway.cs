using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>The drop directories of one gateway, and the gateway itself, started on real Kestrel ports.</summary>
public sealed class BatchFileGateway : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private BatchFileGateway(string root, ConnectorGatewayHost host)
    {
        Root = root;
        Host = host;
    }

    public string Root { get; }

    public ConnectorGatewayHost Host { get; }

    public string Outbox => Path.Combine(Root, "outbox");

    public string Inbox => Path.Combine(Root, "inbox");

    public string Quarantine => Path.Combine(Root, "quarantine");

    public string Processed => Path.Combine(Root, "processed");

    public string State => Path.Combine(Root, "state");

    public IBatchCutOff CutOff => Host.Services.GetRequiredService<IBatchCutOff>();

    public IBatchReturnFiles ReturnFiles => Host.Services.GetRequiredService<IBatchReturnFiles>();

    /// <summary>Starts a gateway on <paramref name="root"/>; a second start on the same root is a restart (same spool, same database).</summary>
    public static async Task<BatchFileGateway> StartAsync(string root, Uri bank, Uri platform, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = Path.Combine(root, "db"),
            ["ConnectorKit:Server:Platform:Address"] = platform.ToString(),
            ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.100",
            ["ConnectorKit:Connectors:batch-file:OutboxDirectory"] = Path.Combine(root, "outbox"),
            ["ConnectorKit:Connectors:batch-file:InboxDirectory"] = Path.Combine(root, "inbox"),
            ["ConnectorKit:Connectors:batch-file:QuarantineDirectory"] = Path.Combine(root, "quarantine"),
            ["ConnectorKit:Connectors:batch-file:ProcessedDirectory"] = Path.Combine(root, "processed"),
            ["ConnectorKit:Connectors:batch-file:StateDirectory"] = Path.Combine(root, "state"),
            ["ConnectorKit:Connectors:batch-file:BankCode"] = BankFiles.BankCode,
            ["ConnectorKit:Connectors:batch-file:RunSchedules"] = "false",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Address"] = bank.ToString(),
            // Short limits so every fault settles within a few seconds; Retry-After up to 2 s is honoured.
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:Timeout"] = "00:00:02",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:TotalTimeout"] = "00:00:04",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:MaxRetryAttempts"] = "2",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:BaseDelay"] = "00:00:00.050",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:MaxRetryAfter"] = "00:00:02",
            ["ConnectorKit:Connectors:batch-file:FileTransfer:Http:BreakerMinimumThroughput"] = "1000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var host = await ConnectorGatewayHost.StartAsync(new BatchFileConnector(), settings).WaitAsync(Timeout);
        return new BatchFileGateway(root, host);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Files in a directory, names only, sorted; empty when it does not exist.</summary>
    public static IReadOnlyList<string> Names(string directory)
        => Directory.Exists(directory) ? Directory.GetFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>Empties the drop directories between tests that share this gateway.</summary>
    public void ClearDirectories()
    {
        foreach (var directory in new[] { Outbox, Inbox, Quarantine, Processed, Path.Combine(State, "notify"), Path.Combine(State, "spool") })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
