using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.OpenPlatform.Testing;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Grpc.Health.V1;

namespace ConnectorKit.Gateway.Tests;

/// <summary>The gateway executable serves whichever connector its configuration names, against that bank's WireMock.</summary>
public sealed class GatewayExecutableTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("ck-gateway-").FullName;
    private WireMockServer _wireMock = null!;
    private CallbackRecorder _platform = null!;

    public static TheoryData<string> Connectors => ["rest-json", "open-platform", "batch-file"];

    public async Task InitializeAsync()
    {
        _wireMock = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        _platform = await CallbackRecorder.StartAsync().WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync();
        await _wireMock.DisposeAsync();
        Directory.Delete(_workDirectory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Connectors))]
    public async Task Gateway_ConnectorChosenInConfiguration_ServesTheContractThroughThatBank(string connector)
    {
        var kit = Kit(connector);
        await _wireMock.LoadMappingsFromDirectoryAsync(kit.MappingsDirectory).WaitAsync(Timeout);
        await using var gateway = await GatewayProcess.StartAsync(Settings(connector, kit)).WaitAsync(Timeout);
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        var code = SampleData.CreditCode(Random.Shared.Next(1, int.MaxValue));
        var profile = SampleData.Profile(code, 1, SampleData.Consent(code, ConsentScope.CreditProfile, bankId: "gateway-bank"));
        var submit = SampleData.Submit(code);
        submit.Consent = SampleData.Consent(code, ConsentScope.LoanApplication, bankId: "gateway-bank");

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Timeout);
        var pushed = await new CreditDataService.CreditDataServiceClient(channel).PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync.WaitAsync(Timeout);
        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(submit).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(ProfileOutcome.Applied, pushed.Outcome);
        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
        if (kit.Connector.Capabilities.HasFlag(ConnectorKit.Connectors.ConnectorCapabilities.RealTimeEvents))
        {
            var journal = await _wireMock.GetRequestsAsync().WaitAsync(Timeout);
            Assert.Contains(journal, r => r.Body.Contains(submitted.Application.ApplicationId, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Gateway_UnknownConnectorName_ExitsSayingWhichConnectorsItHas()
    {
        var settings = new Dictionary<string, string?>(Settings("rest-json", new RestJsonTestKit())) { ["ConnectorKit:Gateway:Connector"] = "no-such-bank" };

        var (exitCode, errors) = await GatewayProcess.RunToExitAsync(settings).WaitAsync(Timeout);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No connector named 'no-such-bank'; this gateway has: rest-json, open-platform, batch-file.", errors, StringComparison.Ordinal);
    }

    private static IConnectorTestKit Kit(string connector) => connector switch
    {
        "rest-json" => new RestJsonTestKit(),
        "open-platform" => new OpenPlatformTestKit(),
        "batch-file" => new BatchFileTestKit(),
        _ => throw new ArgumentOutOfRangeException(nameof(connector), connector, null),
    };

    private Dictionary<string, string?> Settings(string connector, IConnectorTestKit kit) => new(kit.Settings(_wireMock.BaseAddress, _workDirectory))
    {
        ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
        ["Kestrel:Endpoints:Bank:Url"] = "http://127.0.0.1:0",
        ["ConnectorKit:Gateway:Connector"] = connector,
        ["ConnectorKit:Server:BankId"] = "gateway-bank",
        ["ConnectorKit:Server:DataDirectory"] = Path.Combine(_workDirectory, "gateway-" + connector),
        ["ConnectorKit:Server:Platform:Address"] = _platform.Address.ToString(),
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };
}
