using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;
using ConnectorKit.Server;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Client.Tests.Infrastructure;

/// <summary>A real bank (reference library, SQLite in a temp dir, Kestrel port) behind a fault injector, and a client provider calling it.</summary>
public sealed class ClientFixture : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory;

    private ClientFixture(BankServerHost bank, FaultInjector faults, ServiceProvider client, string dataDirectory)
    {
        Bank = bank;
        Faults = faults;
        ClientServices = client;
        _dataDirectory = dataDirectory;
    }

    public BankServerHost Bank { get; }

    public FaultInjector Faults { get; }

    public ServiceProvider ClientServices { get; }

    public IConnectorKitStore Store => Bank.Services.GetRequiredService<IConnectorKitStore>();

    public ConnectorKitBankClient Client => ClientServices.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId);

    /// <summary>Starts a bank and a client with fast resilience defaults; <paramref name="configure"/> adjusts the bank connection, <paramref name="bankOptions"/> the bank.</summary>
    public static async Task<ClientFixture> StartAsync(Action<BankConnectionOptions>? configure = null, Action<IServiceCollection>? clientServices = null, Action<ConnectorKitServerOptions>? bankOptions = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ck-client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var faults = new FaultInjector();
        var bank = await BankServerHost.StartAsync(
            o =>
            {
                o.DataDirectory = dataDirectory;
                bankOptions?.Invoke(o);
            },
            services => services.Configure<GrpcServiceOptions>(g => g.Interceptors.Add(faults)));

        var services = new ServiceCollection();
        services.AddConnectorKitClient(o =>
        {
            var connection = new BankConnectionOptions { Address = bank.Address, DefaultDeadline = TimeSpan.FromSeconds(10) };
            connection.Resilience.BaseDelay = TimeSpan.FromMilliseconds(10);
            connection.Resilience.MaxDelay = TimeSpan.FromMilliseconds(50);
            connection.Resilience.BreakerMinimumThroughput = 100;
            configure?.Invoke(connection);
            o.Banks[SampleData.BankId] = connection;
        });
        clientServices?.Invoke(services);
        return new ClientFixture(bank, faults, services.BuildServiceProvider(validateScopes: true), dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await ClientServices.DisposeAsync();
        await Bank.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file briefly on some platforms; a leftover temp dir is harmless.
        }
    }
}
