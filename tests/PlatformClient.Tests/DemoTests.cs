using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Examples.PlatformClient.Tests;

/// <summary>The README's main job, run as a user runs it (reference bank as a process, platform in-process), on a small batch.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "ck-demo-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task RunAsync_SmallBatch_EveryApplicationSettlesAndSummaryIsPrinted()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            exitCode = await new DemoRunner(new DemoOptions { Enterprises = 12, DataDirectory = _data, Plain = true }).RunAsync(cancel.Token);
        }
        finally
        {
            Console.SetOut(original);
        }

        var text = output.ToString();
        Assert.True(exitCode == 0, text);
        Assert.Contains("applications: 12", text, StringComparison.Ordinal);
        Assert.Contains("Applications settled (rejected, asked for more, or paid in full): 12/12", text, StringComparison.Ordinal);
        Assert.Matches(@"time to money, median / p95: [\d,]+ ms / [\d,]+ ms", text);
        Assert.True(File.Exists(Path.Combine(_data, "bank", "connectorkit.db")));
        Assert.True(File.Exists(Path.Combine(_data, "platform", "connectorkit-platform.db")));
    }

    [Fact]
    public void Generator_ManyEnterprises_CreditCodesPassTheCheckCharacter()
    {
        var generator = new EnterpriseGenerator(7);

        var codes = Enumerable.Range(1, 500).Select(i => generator.Next(i, "bank", DateTimeOffset.UtcNow).Profile.Enterprise.CreditCode).ToList();

        Assert.All(codes, code => Assert.True(UnifiedSocialCreditCode.HasValidCheckCharacter(code), code));
        Assert.Equal(500, codes.Distinct().Count());
    }

    [Fact]
    public void Generator_SameSeed_SameEnterprises()
    {
        var first = new EnterpriseGenerator(42).Next(1, "bank", DateTimeOffset.UnixEpoch);
        var second = new EnterpriseGenerator(42).Next(1, "bank", DateTimeOffset.UnixEpoch);

        Assert.Equal(first.Profile, second.Profile);
        Assert.NotEqual(CreditGrade.Unspecified, first.Profile.Grade);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
