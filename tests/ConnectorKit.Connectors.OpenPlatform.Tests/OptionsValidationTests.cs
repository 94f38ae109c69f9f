using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;
using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

public sealed class OptionsValidationTests
{
    private static readonly TimeSpan Timeout = OpenPlatformFixture.Timeout;

    [Fact]
    public async Task StartAsync_MissingAppIdAndPublicKeyAsPrivate_HostRefusesNamingEachSetting()
    {
        var settings = OpenPlatformFixture.Settings(new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2/"), Path.Combine(Path.GetTempPath(), "ck-op-bad-" + Guid.NewGuid().ToString("N")));
        settings["ConnectorKit:Connectors:open-platform:AppId"] = "";
        settings["ConnectorKit:Connectors:open-platform:Keys:PrivateKeyPem"] = TestBank.BankPublicPem;
        settings["ConnectorKit:Connectors:open-platform:GatewayUrl"] = "gateway.do";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ConnectorGatewayHost.StartAsync(new OpenPlatformConnector(), settings).WaitAsync(Timeout));

        Assert.Contains("ConnectorKit:Connectors:open-platform:AppId is required", error.Message);
        Assert.Contains("ConnectorKit:Connectors:open-platform:GatewayUrl must be an absolute", error.Message);
        Assert.Contains("Keys: PrivateKeyPem holds a 'PUBLIC KEY'", error.Message);
        Assert.DoesNotContain("MIIB", error.Message);
    }
}
