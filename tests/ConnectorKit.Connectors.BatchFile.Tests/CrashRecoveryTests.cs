using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Connectors.BatchFile.Tests;

/// <summary>Restarts on the same directories and database: whatever step a crash interrupts, no record is lost or published twice.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = BatchFileGateway.Timeout;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ck-batch-crash-" + Guid.NewGuid().ToString("N"));
    private WireMockServer _bank = null!;
    private CallbackRecorder _platform = null!;

    public async Task InitializeAsync()
    {
        _bank = await WireMockServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        await _bank.LoadMappingsFromDirectoryAsync(BatchFileFixture.MappingsFolder).WaitAsync(Timeout);
        _platform = await CallbackRecorder.StartAsync().WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync().AsTask().WaitAsync(Timeout);
        await _bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CutOff_SpoolWrittenThenRestartBeforeCutOff_RecordStillPublished()
    {
        string appId;
        await using (var before = await StartAsync())
        {
            appId = await SubmitAsync(before, 3001);
        }

        await using var after = await StartAsync();
        var cutOff = await after.CutOff.RunAsync().WaitAsync(Timeout);

        var file = ReadPublished(Assert.Single(cutOff.Published));
        Assert.Equal([appId], file.Records.Select(r => r["application_id"]));
    }

    [Fact]
    public async Task CutOff_CrashAfterSealing_RestartPublishesTheSealedSpoolOnceAndNewRecordsNext()
    {
        string first, second;
        await using (var before = await StartAsync())
        {
            first = await SubmitAsync(before, 3002);
            var options = before.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BatchFileOptions>>().Value;
            var sealedName = new BatchFileName(options.SenderCode, options.BankCode, BankFiles.Today, "APPLICATIONS", 1);
            Assert.True(before.Host.Services.GetRequiredService<RequestSpool>().Seal(BankLayouts.Applications, sealedName));
        }

        await using var after = await StartAsync();
        second = await SubmitAsync(after, 3003);
        var cutOff = await after.CutOff.RunAsync().WaitAsync(Timeout);
        var again = await after.CutOff.RunAsync().WaitAsync(Timeout);

        Assert.Equal([1, 2], cutOff.Published.Select(p => p.Name.Sequence));
        Assert.Equal([first], ReadPublished(cutOff.Published[0]).Records.Select(r => r["application_id"]));
        Assert.Equal([second], ReadPublished(cutOff.Published[1]).Records.Select(r => r["application_id"]));
        Assert.Empty(again.Published);
        Assert.Equal(2, (await _bank.FindRequestsAsync(HttpMethod.Post, "/file-transfers").WaitAsync(Timeout)).Count);
    }

    [Fact]
    public async Task Start_SchedulesOnAndASealedSpoolLeftByACrash_PublishedAtStartWithoutWaitingForTheCutOff()
    {
        string appId;
        await using (var before = await StartAsync())
        {
            appId = await SubmitAsync(before, 3006);
            var sealedName = new BatchFileName(BankFiles.Us, BankFiles.BankCode, BankFiles.Today, "APPLICATIONS", 1);
            before.Host.Services.GetRequiredService<RequestSpool>().Seal(BankLayouts.Applications, sealedName);
        }

        await using var after = await BatchFileGateway.StartAsync(_root, _bank.BaseAddress, _platform.Address, new Dictionary<string, string?>
        {
            ["ConnectorKit:Connectors:batch-file:RunSchedules"] = "true",
            ["ConnectorKit:Connectors:batch-file:InboxPollInterval"] = "01:00:00",
        });
        var path = Path.Combine(after.Outbox, "CKGATEWAY_BANKTEST_" + BankFiles.Today.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + "_APPLICATIONS_001.txt");
        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(path + ".done") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal([appId], BatchFileCodec.Read(File.ReadAllText(path), BankLayouts.Requests).Records.Select(r => r["application_id"]));
    }

    [Fact]
    public async Task CutOff_CrashAfterPublishingBeforeRetiringSpool_RerunPublishesNothingNew()
    {
        await using var gateway = await StartAsync();
        var appId = await SubmitAsync(gateway, 3004);
        var spool = gateway.Host.Services.GetRequiredService<RequestSpool>();
        var name = new BatchFileName(BankFiles.Us, BankFiles.BankCode, BankFiles.Today, "APPLICATIONS", 1);
        spool.Seal(BankLayouts.Applications, name);
        // What the interrupted run got done: the file is out, the spool was not retired and the bank was not told.
        var sealedSpool = Assert.Single(spool.Sealed());
        var content = BatchFileCodec.Write(BankLayouts.Applications, name.Sender, name.Receiver, name.BusinessDate, spool.Read(sealedSpool));
        new BatchFilePublisher(new System.IO.Abstractions.FileSystem()).Publish(gateway.Outbox, name, content);

        var cutOff = await gateway.CutOff.RunAsync().WaitAsync(Timeout);

        var published = Assert.Single(cutOff.Published);
        Assert.True(published.AlreadyPublished);
        Assert.Equal([appId], ReadPublished(published).Records.Select(r => r["application_id"]));
        Assert.Empty(spool.Sealed());
        Assert.True(Assert.Single(cutOff.Notifications).Delivered);
        Assert.Equal([name.IndexName, name.ToString(), name.DoneMarker], BatchFileGateway.Names(gateway.Outbox));
    }

    [Fact]
    public async Task CutOff_LastSpoolLineCutShortByACrash_DroppedAndTheRestPublished()
    {
        await using var gateway = await StartAsync();
        var appId = await SubmitAsync(gateway, 3005);
        // An append that never returned OK: half a line, no line break.
        File.AppendAllText(Path.Combine(gateway.State, "spool", "current-APPLICATIONS.jsonl"), "{\"Key\":\"N:APP-HALF\",\"Val");

        var cutOff = await gateway.CutOff.RunAsync().WaitAsync(Timeout);

        Assert.Equal([appId], ReadPublished(Assert.Single(cutOff.Published)).Records.Select(r => r["application_id"]));
    }

    private static ParsedBatchFile ReadPublished(PublishedBatchFile published)
        => BatchFileCodec.Read(File.ReadAllText(published.Path), BankLayouts.Requests);

    private static async Task<string> SubmitAsync(BatchFileGateway gateway, int n)
    {
        using var channel = gateway.Host.CreateChannel();
        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(n))).ResponseAsync.WaitAsync(Timeout);
        return submitted.Application.ApplicationId;
    }

    private Task<BatchFileGateway> StartAsync() => BatchFileGateway.StartAsync(_root, _bank.BaseAddress, _platform.Address);
}
