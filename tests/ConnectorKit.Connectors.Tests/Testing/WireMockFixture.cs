using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.Tests.Testing;

/// <summary>One WireMock JVM per test class: starting it costs seconds, resetting it costs milliseconds.</summary>
public sealed class WireMockFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private WireMockServer? server;

    public WireMockServer Server => server ?? throw new InvalidOperationException("The fixture has not started.");

    public static string MappingsFolder => Path.Combine(AppContext.BaseDirectory, "Testing", "Mappings");

    public async Task InitializeAsync()
        => server = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
    }

    /// <summary>A fresh client per test: a fault closes connections a pooled client would try to reuse.</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null)
        => new()
        {
            BaseAddress = Server.BaseAddress,
            Timeout = timeout ?? Timeout,
        };
}
