using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>One WireMock, one platform recorder and one gateway per test class; tests reset WireMock and the directories.</summary>
public sealed class BatchFileFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = BatchFileGateway.Timeout;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ck-batch-" + Guid.NewGuid().ToString("N"));

    public WireMockServer Bank { get; private set; } = null!;

    public CallbackRecorder Platform { get; private set; } = null!;

    public BatchFileGateway Gateway { get; private set; } = null!;

    public static string MappingsFolder => new BatchFileTestKit().MappingsDirectory;

    public async Task InitializeAsync()
    {
        Bank = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Platform = await CallbackRecorder.StartAsync().WaitAsync(Timeout);
        Gateway = await BatchFileGateway.StartAsync(_root, Bank.BaseAddress, Platform.Address);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Platform.DisposeAsync().AsTask().WaitAsync(Timeout);
        await Bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Fresh mappings, journal and scenarios, and empty drop directories.</summary>
    public async Task ResetAsync()
    {
        await Bank.ResetAsync().WaitAsync(Timeout);
        await Bank.LoadMappingsFromDirectoryAsync(MappingsFolder).WaitAsync(Timeout);
        Gateway.ClearDirectories();
    }
}
