using ConnectorKit.Connectors.Testing;
using ConnectorKit.Client.Tests.Infrastructure;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Client.Tests;

public sealed class RegistrationTests
{
    private static readonly TimeSpan Timeout = ClientFixture.Timeout;

    [Fact]
    public void AddConnectorKitClient_Configuration_BindsBanksDeadlinesAndResilience()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Banks:bank-a:Address"] = "https://bank-a.example:443",
            ["Banks:bank-a:DefaultDeadline"] = "00:00:05",
            ["Banks:bank-a:MethodDeadlines:SubmitApplication"] = "00:00:20",
            ["Banks:bank-a:Resilience:MaxRetryAttempts"] = "2",
        }).Build();
        using var provider = new ServiceCollection().AddConnectorKitClient(configuration).BuildServiceProvider();

        var bank = provider.GetRequiredService<IOptions<ConnectorKitClientOptions>>().Value.Banks["bank-a"];

        Assert.Equal(new Uri("https://bank-a.example:443"), bank.Address);
        Assert.Equal(TimeSpan.FromSeconds(5), bank.DefaultDeadline);
        Assert.Equal(TimeSpan.FromSeconds(20), bank.MethodDeadlines["SubmitApplication"]);
        Assert.Equal(2, bank.Resilience.MaxRetryAttempts);
    }

    [Theory]
    [InlineData("ftp://bank.example", "00:00:10")]
    [InlineData("http://bank.example", "00:00:00")]
    public void AddConnectorKitClient_InvalidBank_FailsValidation(string address, string deadline)
    {
        using var provider = new ServiceCollection()
            .AddConnectorKitClient(o => o.Banks["b"] = new BankConnectionOptions { Address = new Uri(address), DefaultDeadline = TimeSpan.Parse(deadline, System.Globalization.CultureInfo.InvariantCulture) })
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConnectorKitClientOptions>>().Value);
    }

    [Fact]
    public void AddConnectorKitClient_NoBanks_FailsValidation()
    {
        using var provider = new ServiceCollection().AddConnectorKitClient(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConnectorKitClientOptions>>().Value);

        Assert.Contains("at least one bank", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_UnknownBank_ThrowsArgumentExceptionNamingKnownBanks()
    {
        using var provider = new ServiceCollection()
            .AddConnectorKitClient(o =>
            {
                o.Banks["bank-a"] = new BankConnectionOptions { Address = new Uri("http://127.0.0.1:1") };
                o.Banks["bank-b"] = new BankConnectionOptions { Address = new Uri("http://127.0.0.1:2") };
            })
            .BuildServiceProvider();
        var factory = provider.GetRequiredService<IConnectorKitClientFactory>();

        var error = Assert.Throws<ArgumentException>(() => factory.For("bank-x"));

        Assert.Contains("bank-a, bank-b", error.Message, StringComparison.Ordinal);
        Assert.Same(factory.For("bank-a"), factory.For("bank-a"));
    }

    [Fact]
    public async Task QuoteFinancing_CustomTokenProvider_AskedPerCallAndAccepted()
    {
        var tokens = new CountingTokenProvider("secret-token");
        await using var securedBank = await BankServerHost.StartAsync(o =>
        {
            o.DataDirectory = Path.Combine(Path.GetTempPath(), "ck-client-" + Guid.NewGuid().ToString("N"));
            o.Authentication.BearerTokens["secret-token"] = "platform-a";
        });
        using var provider = new ServiceCollection()
            .AddSingleton<IBankTokenProvider>(tokens)
            .AddConnectorKitClient(o => o.Banks[SampleData.BankId] = new BankConnectionOptions { Address = securedBank.Address })
            .BuildServiceProvider();
        var client = provider.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId);
        var push = new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.ValidCode, 1) };

        await client.PushCreditProfileAsync(push).WaitAsync(Timeout);
        var raw = await client.CreditData.PushCreditProfileAsync(push).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(2, tokens.Asked);
        Assert.Equal(ProfileOutcome.Stale, raw.Outcome);
    }

    private sealed class CountingTokenProvider(string token) : IBankTokenProvider
    {
        private int _asked;

        public int Asked => _asked;

        public async ValueTask<string?> GetTokenAsync(string bankId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _asked);
            await Task.Yield();
            return token;
        }
    }
}
