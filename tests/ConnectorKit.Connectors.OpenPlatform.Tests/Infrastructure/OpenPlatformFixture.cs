using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;

/// <summary>
/// One WireMock (the bank's gateway), one platform callback recorder and one gateway host per test class; tests
/// reset WireMock and reload the mapping files, and use fresh request ids so the shared store never couples them.
/// </summary>
public class OpenPlatformFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-openplatform-" + Guid.NewGuid().ToString("N"));
    private WireMockServer? _bank;
    private CallbackRecorder? _platform;
    private ConnectorGatewayHost? _gateway;
    private GrpcChannel? _channel;

    public WireMockServer Bank => _bank ?? throw new InvalidOperationException("Not started.");

    public CallbackRecorder Platform => _platform ?? throw new InvalidOperationException("Not started.");

    public ConnectorGatewayHost Gateway => _gateway ?? throw new InvalidOperationException("Not started.");

    public LoanApplicationsService.LoanApplicationsServiceClient Applications => new(_channel!);

    public CreditDataService.CreditDataServiceClient CreditData => new(_channel!);

    public async Task InitializeAsync()
    {
        _bank = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        _platform = await CallbackRecorder.StartAsync().WaitAsync(Timeout);
        _gateway = await StartGatewayAsync(_dataDirectory);
        _channel = _gateway.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        if (_platform is not null)
        {
            await _platform.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        if (_bank is not null)
        {
            await _bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned eventually.
        }
    }

    /// <summary>Another gateway host on this fixture's bank and platform, e.g. with other bank keys; dispose it.</summary>
    public async Task<ConnectorGatewayHost> StartGatewayAsync(string dataDirectory, params (string KeyId, string Pem)[] bankKeys)
    {
        var settings = Settings(Bank.BaseAddress, Platform.Address, dataDirectory, bankKeys);
        Configure(settings);
        return await ConnectorGatewayHost.StartAsync(new OpenPlatformConnector(), settings).WaitAsync(Timeout);
    }

    /// <summary>Changes the settings of every gateway this fixture starts.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>Empties the journal and puts back exactly the mapping files.</summary>
    public async Task ResetAsync()
    {
        await Bank.ResetAsync().WaitAsync(Timeout);
        await Bank.LoadMappingsFromDirectoryAsync(TestBank.MappingsFolder).WaitAsync(Timeout);
    }

    /// <summary>The gateway's settings with fast retries and a 2 s bank time-out; <paramref name="bankKeys"/> replace the one test bank key.</summary>
    public static Dictionary<string, string?> Settings(Uri bank, Uri platform, string dataDirectory, params (string KeyId, string Pem)[] bankKeys)
    {
        const string c = "ConnectorKit:Connectors:open-platform:";
        var settings = new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = dataDirectory,
            ["ConnectorKit:Server:Platform:Address"] = platform.ToString(),
            ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:MaxRetryDelay"] = "00:00:00.200",
            [c + "GatewayUrl"] = new Uri(bank, TestBank.GatewayPath.TrimStart('/')).ToString(),
            [c + "AppId"] = TestBank.AppId,
            [c + "Keys:PrivateKeyPem"] = TestBank.ConnectorPrivatePem,
            [c + "Keys:PrivateKeyId"] = "connector-test",
            [c + "MaxAttempts"] = "2",
            [c + "RetryDelay"] = "00:00:00.050",
            [c + "MaxRetryAfter"] = "00:00:02",
            [c + "Http:Timeout"] = "00:00:02",
            [c + "Http:TotalTimeout"] = "00:00:02",
            [c + "Http:BreakerMinimumThroughput"] = "1000",
        };
        if (bankKeys.Length == 0)
        {
            bankKeys = [("bank-test-1", TestBank.BankPublicPem)];
        }

        for (var i = 0; i < bankKeys.Length; i++)
        {
            settings[$"{c}Keys:PeerPublicKeys:{i}:KeyId"] = bankKeys[i].KeyId;
            settings[$"{c}Keys:PeerPublicKeys:{i}:Pem"] = bankKeys[i].Pem;
        }

        return settings;
    }

    /// <summary>Adds a stub for one gateway method, above the mapping files' priority.</summary>
    public Task StubAsync(string method, JsonObject response, string? bizContains = null)
    {
        var form = new JsonObject { ["method"] = new JsonObject { ["equalTo"] = method } };
        if (bizContains is not null)
        {
            form["biz_content"] = new JsonObject { ["contains"] = bizContains };
        }

        return Bank.AddMappingAsync(new JsonObject
        {
            ["priority"] = 1,
            ["request"] = new JsonObject { ["method"] = "POST", ["urlPath"] = TestBank.GatewayPath, ["formParameters"] = form },
            ["response"] = response,
        }.ToJsonString()).WaitAsync(Timeout);
    }

    public static JsonObject Answer(string body) => new()
    {
        ["status"] = 200,
        ["headers"] = new JsonObject { ["Content-Type"] = "application/json; charset=utf-8" },
        ["body"] = body,
    };

    /// <summary>The journalled gateway calls of one method, oldest first, as decoded forms.</summary>
    public async Task<List<Dictionary<string, string>>> CallsAsync(string method)
    {
        var requests = await Bank.FindRequestsAsync(HttpMethod.Post, TestBank.GatewayPath).WaitAsync(Timeout);
        return requests.Select(r => TestBank.Form(r.Body)).Where(f => f.GetValueOrDefault("method") == method).ToList();
    }
}
