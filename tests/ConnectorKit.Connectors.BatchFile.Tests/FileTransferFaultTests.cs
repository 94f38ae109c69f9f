using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>
/// Each fault of the bank's file-transfer endpoint: the platform's submit is unaffected (it is already on disk), the
/// notification fails with the status the README lists and stays pending, and the retry tells the bank once, under
/// the same idempotency key, of the one file that exists.
/// </summary>
public sealed class FileTransferFaultTests(BatchFileFixture fixture) : IClassFixture<BatchFileFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = BatchFileFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("delay", StatusCode.DeadlineExceeded)]
    [InlineData("429", StatusCode.ResourceExhausted)]
    [InlineData("503", StatusCode.Unavailable)]
    [InlineData("reset", StatusCode.Unavailable)]
    [InlineData("empty", StatusCode.Unavailable)]
    [InlineData("malformed", StatusCode.Unavailable)]
    [InlineData("random", StatusCode.Unavailable)]
    public async Task CutOff_FileTransferFault_NotificationPendingThenSentOnceUnderTheSameKey(string fault, StatusCode expected)
    {
        using var channel = fixture.Gateway.Host.CreateChannel();
        var submit = SampleData.Submit(SampleData.CreditCode(2000 + fault.Length), amountYuan: 777_777);
        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(submit).ResponseAsync.WaitAsync(Timeout);
        await StubAsync(fault);

        var cutOff = await fixture.Gateway.CutOff.RunAsync().WaitAsync(Timeout);
        var duringFault = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/file-transfers").WaitAsync(Timeout);
        await fixture.Bank.ResetAsync().WaitAsync(Timeout);
        await fixture.Bank.LoadMappingsFromDirectoryAsync(BatchFileFixture.MappingsFolder).WaitAsync(Timeout);
        var pendingBeforeRetry = Pending();
        var retried = await fixture.Gateway.CutOff.NotifyPendingAsync().WaitAsync(Timeout);
        var afterFault = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, "/file-transfers").WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
        var published = Assert.Single(cutOff.Published);
        Assert.Equal(77_777_700L, published.AmountTotal);
        var failed = Assert.Single(cutOff.Notifications);
        Assert.Equal(expected, failed.Failure);
        Assert.Equal([published.Name.ToString()], pendingBeforeRetry);
        Assert.True(Assert.Single(retried).Delivered);
        Assert.Empty(Pending());
        Assert.NotEmpty(duringFault);
        Assert.Single(afterFault);
        Assert.All(duringFault.Concat(afterFault), r => Assert.Equal(published.Name.ToString(), r.Headers["Idempotency-Key"]));
        Assert.Equal([published.Name.IndexName, published.Name.ToString(), published.Name.DoneMarker], BatchFileGateway.Names(fixture.Gateway.Outbox));
    }

    private Task StubAsync(string fault) => fault switch
    {
        "delay" => fixture.Bank.StubDelayAsync(HttpMethod.Post, "/file-transfers", TimeSpan.FromSeconds(6)),
        "429" => fixture.Bank.StubStatusAsync(HttpMethod.Post, "/file-transfers", 429, retryAfterSeconds: 30),
        "503" => fixture.Bank.StubStatusAsync(HttpMethod.Post, "/file-transfers", 503, retryAfterSeconds: 30),
        "reset" => fixture.Bank.StubFaultAsync(HttpMethod.Post, "/file-transfers", WireMockFault.ConnectionResetByPeer),
        "empty" => fixture.Bank.StubFaultAsync(HttpMethod.Post, "/file-transfers", WireMockFault.EmptyResponse),
        "malformed" => fixture.Bank.StubFaultAsync(HttpMethod.Post, "/file-transfers", WireMockFault.MalformedResponseChunk),
        "random" => fixture.Bank.StubFaultAsync(HttpMethod.Post, "/file-transfers", WireMockFault.RandomDataThenClose),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private IReadOnlyList<string> Pending()
        => BatchFileGateway.Names(Path.Combine(fixture.Gateway.State, "notify")).Select(n => n[..^".pending".Length]).ToList();
}
