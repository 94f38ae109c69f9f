using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.RestJson.Tests;

public sealed class RestJsonConnectorTests
{
    [Fact]
    public async Task StartAsync_SecretsMissingOrMalformed_FailsNamingTheKeys()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = Path.Combine(Path.GetTempPath(), "ck-rest-json-bad-" + Guid.NewGuid().ToString("N")),
            ["ConnectorKit:Connectors:rest-json:BaseAddress"] = "https://openapi.sme-bank.example/",
            ["ConnectorKit:Connectors:rest-json:ClientId"] = "ck-test",
            ["ConnectorKit:Connectors:rest-json:Webhook:Secrets:0"] = "not-a-whsec-secret",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ConnectorGatewayHost.StartAsync(new RestJsonConnector(), settings).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("ConnectorKit:Connectors:rest-json:ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectorKit:Connectors:rest-json:Webhook:Secrets:0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-whsec-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connector_NameAndCapabilities_AsDocumented()
    {
        var connector = new RestJsonConnector();

        Assert.Equal("rest-json", connector.Name);
        Assert.Equal(ConnectorCapabilities.All, connector.Capabilities);
    }
}
