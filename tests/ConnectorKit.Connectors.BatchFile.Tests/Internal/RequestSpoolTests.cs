using System.IO.Abstractions;
using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Files;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Tests.Internal;

public sealed class RequestSpoolTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ck-spool-" + Guid.NewGuid().ToString("N"));
    private readonly RequestSpool _spool;

    public RequestSpoolTests()
        => _spool = new RequestSpool(new FileSystem(), Options.Create(new BatchFileOptions { StateDirectory = _root }));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Append_ConcurrentDuplicateLandingAfterTheCutOff_NotSpooledForTheNextFile()
    {
        _spool.Append(BankLayouts.Applications, "N:APP-1", Submission("APP-1"));
        Assert.True(_spool.Seal(BankLayouts.Applications, Name(1)));

        _spool.Append(BankLayouts.Applications, "N:APP-1", Submission("APP-1"));
        _spool.Append(BankLayouts.Applications, "N:APP-2", Submission("APP-2"));
        _spool.Seal(BankLayouts.Applications, Name(2));

        var sealedSpools = _spool.Sealed();
        Assert.Equal(["APP-1"], _spool.Read(sealedSpools[0]).Select(r => r[1]));
        Assert.Equal(["APP-2"], _spool.Read(sealedSpools[1]).Select(r => r[1]));
    }

    [Fact]
    public void Append_SameKeyTwiceBeforeTheCutOff_OneRecordInTheFile()
    {
        _spool.Append(BankLayouts.Applications, "N:APP-1", Submission("APP-1"));
        _spool.Append(BankLayouts.Applications, "N:APP-1", Submission("APP-1"));

        _spool.Seal(BankLayouts.Applications, Name(1));

        Assert.Equal(["APP-1"], _spool.Read(Assert.Single(_spool.Sealed())).Select(r => r[1]));
    }

    private static BatchFileName Name(int sequence) => new("CKGATEWAY", "BANKTEST", new DateOnly(2026, 11, 22), "APPLICATIONS", sequence);

    private static string[] Submission(string applicationId)
        => ["N", applicationId, "platform-a", "", "", "", "500000000", "CNY", "36", "", "", "", "", "", "20261122100000", ""];
}
