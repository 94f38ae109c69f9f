using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    public string Outbox => Options.OutboxDirectory;

    public string Inbox => Options.InboxDirectory;

    public string Quarantine => Options.QuarantineDirectory;

    public string Processed => Options.ProcessedDirectory;

    public string State => Options.StateDirectory;

    private BatchFileOptions Options => Host.Services.GetRequiredService<IOptions<BatchFileOptions>>().Value;

    public IBatchCutOff CutOff => Host.Services.GetRequiredService<IBatchCutOff>();

    public IBatchReturnFiles ReturnFiles => Host.Services.GetRequiredService<IBatchReturnFiles>();

    /// <summary>Starts a gateway on <paramref name="root"/>; a second start on the same root is a restart (same spool, same database).</summary>
    public static async Task<BatchFileGateway> StartAsync(string root, Uri bank, Uri platform, IDictionary<string, string?>? extra = null)
    {
        // The kit's connector settings (drop directories under the root, schedules off, short HTTP limits).
        var settings = new Dictionary<string, string?>(new BatchFileTestKit().Settings(bank, root))
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = Path.Combine(root, "db"),
            ["ConnectorKit:Server:Platform:Address"] = platform.ToString(),
            ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.100",
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
