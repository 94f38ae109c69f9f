using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Tests.Hosting;

public sealed class HostingTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-hosting-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task AddConnectorKitServer_MissingBankId_StartFailsNamingTheSetting()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddConnectorKitServer(options => options.DataDirectory = _dataDirectory);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
        {
            app.MapConnectorKitServer();
            return app.StartAsync();
        }).WaitAsync(Timeout);

        Assert.Contains("BankId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddConnectorKitServer_PostgresWithoutConnectionString_StartFails()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddConnectorKitServer(options =>
        {
            options.BankId = SampleData.BankId;
            options.Store = StoreKind.PostgreSql;
        });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
        {
            app.MapConnectorKitServer();
            return app.StartAsync();
        }).WaitAsync(Timeout);

        Assert.Contains("PostgresConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddConnectorKitServer_ConfigurationSection_BindsOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = "bank-from-config",
            ["ConnectorKit:Server:CreditCodePolicy"] = "AcceptWithWarning",
            ["ConnectorKit:Server:Platform:Address"] = "http://127.0.0.1:5100",
            ["ConnectorKit:Server:Authentication:BearerTokens:secret-token-1234"] = "platform-a",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddConnectorKitServer(configuration.GetSection("ConnectorKit:Server"));
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<ConnectorKitServerOptions>>().Value;

        Assert.Equal("bank-from-config", options.BankId);
        Assert.Equal(CreditCodePolicy.AcceptWithWarning, options.CreditCodePolicy);
        Assert.Equal(new Uri("http://127.0.0.1:5100"), options.Platform.Address);
        Assert.Equal("platform-a", options.Authentication.BearerTokens["secret-token-1234"]);
    }

    [Fact]
    public async Task MapConnectorKitServer_Defaults_ServeHealthForTheContract()
    {
        await using var bank = await BankServerHost.StartAsync(options => options.DataDirectory = _dataDirectory);
        using var channel = bank.CreateChannel();

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "connectorkit.v1.LoanApplicationsService" }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task BearerTokens_TwoPlatforms_EachSeesOnlyItsOwnApplications()
    {
        await using var bank = await BankServerHost.StartAsync(options =>
        {
            options.DataDirectory = _dataDirectory;
            options.Authentication.BearerTokens["token-platform-a-0001"] = "platform-a";
            options.Authentication.BearerTokens["token-platform-b-0002"] = "platform-b";
        });
        using var channelA = bank.CreateChannel("token-platform-a-0001");
        using var channelB = bank.CreateChannel("token-platform-b-0002");
        using var anonymous = bank.CreateChannel();
        var request = SampleData.Submit();

        var created = await new LoanApplicationsService.LoanApplicationsServiceClient(channelA).SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var byB = await Assert.ThrowsAsync<RpcException>(() => new LoanApplicationsService.LoanApplicationsServiceClient(channelB).GetApplicationAsync(new GetApplicationRequest { ApplicationId = created.Application.ApplicationId }).ResponseAsync).WaitAsync(Timeout);
        var sameIdByB = await new LoanApplicationsService.LoanApplicationsServiceClient(channelB).SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var noToken = await Assert.ThrowsAsync<RpcException>(() => new LoanApplicationsService.LoanApplicationsServiceClient(anonymous).SubmitApplicationAsync(SampleData.Submit()).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.NotFound, byB.StatusCode);
        Assert.NotEqual(created.Application.ApplicationId, sameIdByB.Application.ApplicationId);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
    }
}
