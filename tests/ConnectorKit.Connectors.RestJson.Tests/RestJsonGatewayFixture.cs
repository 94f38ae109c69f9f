using System.Text;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Webhooks;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.RestJson.Tests;

/// <summary>
/// One WireMock standing in for the bank, one platform callback recorder and one gateway serving the rest-json
/// connector, shared by a test class; each test resets WireMock to the package's mapping files.
/// </summary>
public abstract class RestJsonGatewayFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The secret the fake bank signs with; the gateway also trusts <see cref="RetiredSecret"/>.</summary>
    public static readonly string Secret = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("rest-json-test-webhook-secret-01"));

    public static readonly string RetiredSecret = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("rest-json-test-webhook-secret-00"));

    public const string ClientId = "ck-test";
    public const string ClientSecret = "ck-secret-0123456789";
    public const string WebhookPath = "/hooks/bank";

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "ck-rest-json-" + Guid.NewGuid().ToString("N"));
    private GrpcChannel? channel;

    public WireMockServer Bank { get; private set; } = null!;

    public CallbackRecorder Platform { get; private set; } = null!;

    public ConnectorGatewayHost Gateway { get; private set; } = null!;

    public static string MappingsFolder => Path.Combine(AppContext.BaseDirectory, "wiremock", "mappings");

    public LoanApplicationsService.LoanApplicationsServiceClient Applications => new(channel!);

    public CreditDataService.CreditDataServiceClient CreditData => new(channel!);

    public Uri WebhookAddress => new(Gateway.BankFacingAddress, WebhookPath.TrimStart('/'));

    public async Task InitializeAsync()
    {
        Bank = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Platform = await CallbackRecorder.StartAsync().WaitAsync(Timeout);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = dataDirectory,
            ["ConnectorKit:Server:Platform:Address"] = Platform.Address.ToString(),
            ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
            ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.100",
            ["ConnectorKit:Server:Platform:MaxRetryDelay"] = "00:00:00.500",
            ["ConnectorKit:Connectors:rest-json:BaseAddress"] = Bank.BaseAddress.ToString(),
            ["ConnectorKit:Connectors:rest-json:ClientId"] = ClientId,
            ["ConnectorKit:Connectors:rest-json:ClientSecret"] = ClientSecret,
            ["ConnectorKit:Connectors:rest-json:Webhook:Path"] = WebhookPath,
            ["ConnectorKit:Connectors:rest-json:Webhook:Secrets:0"] = RetiredSecret,
            ["ConnectorKit:Connectors:rest-json:Webhook:Secrets:1"] = Secret,
            // Generous, as CI machines are shared; the fault tests tighten them.
            ["ConnectorKit:Connectors:rest-json:Http:Timeout"] = "00:00:05",
            ["ConnectorKit:Connectors:rest-json:Http:TotalTimeout"] = "00:00:10",
            ["ConnectorKit:Connectors:rest-json:Http:MaxRetryAttempts"] = "2",
            ["ConnectorKit:Connectors:rest-json:Http:BaseDelay"] = "00:00:00.020",
            ["ConnectorKit:Connectors:rest-json:Http:MaxDelay"] = "00:00:00.100",
            ["ConnectorKit:Connectors:rest-json:Http:MaxRetryAfter"] = "00:00:02",
            // The fault tests fail on purpose; an open breaker would turn the next test's call into CIRCUIT_OPEN.
            ["ConnectorKit:Connectors:rest-json:Http:BreakerMinimumThroughput"] = "1000",
        };
        Configure(settings);
        Gateway = await ConnectorGatewayHost.StartAsync(new RestJsonConnector(), settings).WaitAsync(TimeSpan.FromSeconds(60));
        channel = Gateway.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        channel?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        if (Platform is not null)
        {
            await Platform.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        if (Bank is not null)
        {
            await Bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Empties WireMock's journal and mappings and loads the package's mapping files again.</summary>
    public async Task ResetBankAsync()
    {
        await Bank.ResetAsync().WaitAsync(Timeout);
        await Bank.LoadMappingsFromDirectoryAsync(MappingsFolder).WaitAsync(Timeout);
    }

    /// <summary>Removes one stub, keeping the journal (the harness's reset would empty both).</summary>
    public async Task RemoveMappingAsync(Guid id)
    {
        using var admin = new HttpClient { BaseAddress = Bank.BaseAddress, Timeout = Timeout };
        using var response = await admin.DeleteAsync($"__admin/mappings/{id}").WaitAsync(Timeout);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Sends a webhook as the bank would, signed with <paramref name="secret"/> (the current one by default).</summary>
    public async Task<HttpResponseMessage> SendWebhookAsync(
        string body, string? messageId = null, DateTimeOffset? timestamp = null, string? secret = null, Action<HttpRequestMessage>? tamper = null)
    {
        var id = messageId ?? "msg_" + Guid.NewGuid().ToString("N");
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = new StandardWebhookSigner(secret ?? Secret).CreateHeaders(id, timestamp ?? DateTimeOffset.UtcNow, bytes);
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookAddress) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        tamper?.Invoke(request);
        using var client = new HttpClient { Timeout = Timeout };
        return await client.SendAsync(request).WaitAsync(Timeout);
    }

    protected virtual void Configure(IDictionary<string, string?> settings) => settings["ConnectorKit:Connectors:rest-json:Polling:Enabled"] = "false";
}

/// <summary>Webhooks only: polling off, so every change in these tests comes from a signed delivery.</summary>
public sealed class WebhookGatewayFixture : RestJsonGatewayFixture;

/// <summary>Webhooks only, with time-outs short enough for a deadline test to finish in seconds.</summary>
public sealed class FaultGatewayFixture : RestJsonGatewayFixture
{
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(4);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["ConnectorKit:Connectors:rest-json:Http:Timeout"] = "00:00:02";
        settings["ConnectorKit:Connectors:rest-json:Http:TotalTimeout"] = TotalTimeout.ToString();
    }
}

/// <summary>Polling every 200 ms, for the tests where no webhook comes.</summary>
public sealed class PollingGatewayFixture : RestJsonGatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["ConnectorKit:Connectors:rest-json:Polling:Enabled"] = "true";
        settings["ConnectorKit:Connectors:rest-json:Polling:Interval"] = "00:00:00.200";
    }
}
