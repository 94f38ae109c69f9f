using ConnectorKit.Connectors.Testing;
using ConnectorKit.Client.Tests.Infrastructure;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Tests.Infrastructure;

namespace ConnectorKit.Client.Tests;

public sealed class BulkPushTests
{
    private static readonly TimeSpan Timeout = ClientFixture.Timeout;

    [Fact]
    public async Task PushCreditProfiles_SecondStreamAbortedMidway_ResumesAndAppliesEveryProfileOnce()
    {
        await using var fixture = await ClientFixture.StartAsync();
        fixture.Faults.AbortStream(streamNumber: 2, afterMessages: 600);
        var progress = new RecordingProgress();

        var result = await fixture.Client.PushCreditProfilesAsync(Profiles(3500), progress).WaitAsync(Timeout);

        Assert.Equal(3500, result.Applied + result.AppliedByEarlierAttempt);
        Assert.True(result.AppliedByEarlierAttempt > 0, "the aborted stream applied a batch before failing");
        Assert.Equal(0, result.Stale);
        Assert.Equal(0, result.Rejected);
        Assert.Empty(result.Rejections);
        Assert.Equal(4, result.Chunks);
        Assert.Equal(5, result.Attempts);
        Assert.Equal(5, fixture.Faults.Calls("StreamCreditProfiles"));
        Assert.Equal(new BulkPushProgress(3500, 3500), progress.Last);
        for (var i = 0; i < 3500; i++)
        {
            var stored = await fixture.Store.GetProfileAsync(SampleData.CreditCode(i), "platform-sh").WaitAsync(Timeout);
            Assert.NotNull(stored);
        }
    }

    [Fact]
    public async Task PushCreditProfiles_InvalidProfilesAcrossChunks_RejectionsCarryCallersIndexes()
    {
        await using var fixture = await ClientFixture.StartAsync(o => o.BulkChunkSize = 100);
        int[] invalid = [5, 150, 299];

        var result = await fixture.Client.PushCreditProfilesAsync(Profiles(300, invalid)).WaitAsync(Timeout);

        Assert.Equal(297, result.Applied);
        Assert.Equal(3, result.Rejected);
        Assert.Equal(invalid.Select(i => (long)i), result.Rejections.Select(r => r.Index));
        Assert.Equal(3, result.Chunks);
        Assert.Equal(3, result.Attempts);
    }

    [Fact]
    public async Task PushCreditProfiles_RepeatedPush_ReportsStale()
    {
        await using var fixture = await ClientFixture.StartAsync(o => o.BulkChunkSize = 40);
        await fixture.Client.PushCreditProfilesAsync(Profiles(100)).WaitAsync(Timeout);

        var again = await fixture.Client.PushCreditProfilesAsync(Profiles(100)).WaitAsync(Timeout);

        Assert.Equal(0, again.Applied);
        Assert.Equal(100, again.Stale);
        Assert.Equal(0, again.AppliedByEarlierAttempt);
    }

    private static async IAsyncEnumerable<CreditProfile> Profiles(int count, int[]? invalid = null)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            var code = invalid is not null && invalid.Contains(i) ? SampleData.BadCheckCode : SampleData.CreditCode(i);
            yield return SampleData.Profile(code, version: 1);
        }
    }

    private sealed class RecordingProgress : IProgress<BulkPushProgress>
    {
        public BulkPushProgress Last { get; private set; }

        public void Report(BulkPushProgress value) => Last = value;
    }
}
