using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Client.Tests.Security;

/// <summary>
/// The platform calling a bank over mutual TLS with <see cref="BankConnectionOptions"/>' PEM files (client certificate,
/// key, trusted CA), against the ConnectorKit.Server library requiring a CA-signed client certificate.
/// </summary>
public sealed class BankMutualTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private static readonly TimeSpan Timeout = TlsBankHost.Timeout;

    [Fact]
    public async Task SubmitThenGetApplication_ClientCertificateAndTrustedCa_SucceedsAndBankOwnsItToCertificateCommonName()
    {
        await using var bank = await TlsBankHost.StartAsync(certificates);
        await using var client = CreateClient(bank, o =>
        {
            o.ClientCertificatePath = certificates.ClientPemPath;
            o.ClientCertificateKeyPath = certificates.ClientKeyPemPath;
            o.TrustedCaPath = certificates.AuthorityPemPath;
        });
        var bankClient = client.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId);

        var submitted = await bankClient.SubmitApplicationAsync(SampleData.Submit()).WaitAsync(Timeout);
        var fetched = await bankClient.GetApplicationAsync(new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId }).WaitAsync(Timeout);

        Assert.Equal(submitted.Application.ApplicationId, fetched.Application.ApplicationId);
        var stored = await bank.Store.GetApplicationAsync(submitted.Application.ApplicationId).WaitAsync(Timeout);
        Assert.Equal(TestCertificates.ClientPlatformId, stored!.PlatformId);
    }

    [Fact]
    public async Task SubmitApplication_CertificateAndKeyInOnePemFile_Succeeds()
    {
        await using var bank = await TlsBankHost.StartAsync(certificates);
        var combined = Path.Combine(certificates.PemDirectory, "client-with-key-" + Guid.NewGuid().ToString("N") + ".pem");
        // ExportCertificatePem ends without a newline; PEM blocks must start on their own line.
        File.WriteAllText(combined, File.ReadAllText(certificates.ClientPemPath) + "\n" + File.ReadAllText(certificates.ClientKeyPemPath));
        await using var client = CreateClient(bank, o =>
        {
            o.ClientCertificatePath = combined;
            o.TrustedCaPath = certificates.AuthorityPemPath;
        });

        var submitted = await client.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId).SubmitApplicationAsync(SampleData.Submit()).WaitAsync(Timeout);

        var stored = await bank.Store.GetApplicationAsync(submitted.Application.ApplicationId).WaitAsync(Timeout);
        Assert.Equal(TestCertificates.ClientPlatformId, stored!.PlatformId);
    }

    [Fact]
    public async Task SubmitApplication_WithoutClientCertificate_FailsAndNothingIsStored()
    {
        await using var bank = await TlsBankHost.StartAsync(certificates);
        await using var client = CreateClient(bank, o => o.TrustedCaPath = certificates.AuthorityPemPath);

        var error = await Assert.ThrowsAsync<RpcException>(
            () => client.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId).SubmitApplicationAsync(SampleData.Submit())).WaitAsync(Timeout);

        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Unauthenticated });
        Assert.Empty(await bank.Store.ListApplicationsAsync(ApplicationState.Submitted, 10).WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetApplication_WithoutTrustedCa_ServerCertificateUntrustedUnavailable()
    {
        await using var bank = await TlsBankHost.StartAsync(certificates);
        await using var client = CreateClient(bank, o =>
        {
            o.ClientCertificatePath = certificates.ClientPemPath;
            o.ClientCertificateKeyPath = certificates.ClientKeyPemPath;
        });

        var error = await Assert.ThrowsAsync<RpcException>(
            () => client.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId).GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-1" })).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static ServiceProvider CreateClient(TlsBankHost bank, Action<BankConnectionOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddConnectorKitClient(o =>
        {
            // No retries: a refused handshake fails the same way every time, and the test should fail fast.
            var connection = new BankConnectionOptions { Address = bank.Address, DefaultDeadline = TimeSpan.FromSeconds(10) };
            connection.Resilience.MaxRetryAttempts = 0;
            configure(connection);
            o.Banks[SampleData.BankId] = connection;
        });
        return services.BuildServiceProvider(validateScopes: true);
    }
}
