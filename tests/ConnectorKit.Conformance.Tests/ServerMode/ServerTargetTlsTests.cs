using System.Net;
using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;
using ConnectorKit.Server;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Conformance.Tests.ServerMode;

/// <summary>Server mode over mutual TLS, configured as a target file would: the bank's CA, the platform's certificate and key.</summary>
public sealed class ServerTargetTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestCertificates _certificates = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ck-tls-target-").FullName;
    private WebApplication _bank = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        var authentication = new ServerAuthenticationOptions { RequireClientCertificate = true, ClientCertificateCaPath = _certificates.AuthorityPemPath };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseConnectorKitTls(_certificates.Server, authentication)));
        builder.Services.AddConnectorKitServer(options =>
        {
            options.BankId = "tls-bank";
            options.DataDirectory = _dataDirectory;
            options.Authentication = authentication;
        });
        _bank = builder.Build();
        _bank.MapConnectorKitServer();
        await _bank.StartAsync().WaitAsync(Timeout);
        _address = new Uri($"https://127.0.0.1:{new Uri(_bank.Urls.First()).Port}");
    }

    public async Task DisposeAsync()
    {
        await _bank.StopAsync().WaitAsync(Timeout);
        await _bank.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_MutualTlsFromTheTargetFile_CasesReachTheBank()
    {
        await using var target = await ServerTarget.StartAsync(Options(withClientCertificate: true)).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Filter = "CK-SHAPE-003,CK-LOAN-002,CK-VAL-*" }).WaitAsync(Timeout);

        Assert.True(report.Succeeded, ReferenceBankConformanceTests.Describe(report));
        Assert.All(report.Cases, c => Assert.Equal(ConformanceOutcome.Passed, c.Outcome));
    }

    [Fact]
    public async Task RunAsync_NoClientCertificate_FailsSayingTheBankWasUnreachable()
    {
        await using var target = await ServerTarget.StartAsync(Options(withClientCertificate: false)).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Filter = "CK-SHAPE-003" }).WaitAsync(Timeout);

        var result = Assert.Single(report.Cases);
        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        Assert.StartsWith("unexpected UNAVAILABLE", result.Reason, StringComparison.Ordinal);
    }

    private ServerTargetOptions Options(bool withClientCertificate) => new()
    {
        Address = _address,
        BankId = "tls-bank",
        Tls = new ServerTargetOptions.TlsSettings
        {
            TrustedCa = _certificates.AuthorityPemPath,
            ClientCertificate = withClientCertificate ? _certificates.ClientPemPath : null,
            ClientKey = withClientCertificate ? _certificates.ClientKeyPemPath : null,
        },
        Driver = new ServerTargetOptions.DriverSettings { Url = new Uri("http://127.0.0.1:9/sandbox/") },
    };
}
