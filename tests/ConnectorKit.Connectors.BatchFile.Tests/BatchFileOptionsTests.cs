using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Tests;

public sealed class BatchFileOptionsTests
{
    [Fact]
    public async Task StartAsync_DirectoriesAndBankCodeMissing_FailsNamingEachKey()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectorKit:Server:BankId"] = SampleData.BankId,
            ["ConnectorKit:Server:DataDirectory"] = Path.Combine(Path.GetTempPath(), "ck-batch-options-" + Guid.NewGuid().ToString("N")),
            ["ConnectorKit:Connectors:batch-file:SenderCode"] = "ck-gateway",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ConnectorGatewayHost.StartAsync(new BatchFileConnector(), settings).WaitAsync(BatchFileGateway.Timeout));

        Assert.Contains("ConnectorKit:Connectors:batch-file:OutboxDirectory is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectorKit:Connectors:batch-file:BankCode must be", error.Message, StringComparison.Ordinal);
        Assert.Contains("SenderCode must be", error.Message, StringComparison.Ordinal);
        Assert.Contains("FileTransfer:Address is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Capabilities_DailyFiles_EverythingButRealTimeEventsAndOnlineSubmission()
    {
        var capabilities = new BatchFileConnector().Capabilities;

        Assert.False(capabilities.HasFlag(ConnectorCapabilities.RealTimeEvents));
        Assert.False(capabilities.HasFlag(ConnectorCapabilities.OnlineSubmission));
        Assert.Equal(ConnectorCapabilities.All & ~ConnectorCapabilities.RealTimeEvents & ~ConnectorCapabilities.OnlineSubmission, capabilities);
    }
}
