using System.IO.Abstractions;
using System.Security.Cryptography;
using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.Tests.Files;

/// <summary>Publisher and inbox on the real file system, in a temporary directory per test.</summary>
public sealed class BatchFileExchangeTests : IDisposable
{
    private readonly FileSystem _fileSystem = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ck-files-" + Guid.NewGuid().ToString("N"));
    private readonly BatchFileName _name = new("BANKA", "CKGW", BatchFileTestLayouts.Day, "PAYMENTS", 1);

    private string Drop => Path.Combine(_root, "drop");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Publish_NewFile_DataThenMarkerWithChecksumThenIndexAndNoTemporaryLeft()
    {
        var publisher = new BatchFilePublisher(_fileSystem);
        var content = BatchFileTestLayouts.TwoPayments();

        var published = publisher.Publish(Drop, _name, content);

        var bytes = File.ReadAllBytes(Path.Combine(Drop, "BANKA_CKGW_20261120_PAYMENTS_001.txt"));
        Assert.Equal(content.Text, System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)) + "\n", File.ReadAllText(Path.Combine(Drop, "BANKA_CKGW_20261120_PAYMENTS_001.txt.done")));
        Assert.Equal([$"BANKA_CKGW_20261120_PAYMENTS_001.txt|PAYMENTS|2|500012346|{published.Sha256}"], File.ReadAllLines(Path.Combine(Drop, "BANKA_CKGW_20261120.idx")));
        Assert.Equal(3, Directory.GetFiles(Drop).Length);
    }

    [Fact]
    public void Publish_SameFileAgain_NoChangeAndReportedAsAlreadyPublished()
    {
        var publisher = new BatchFilePublisher(_fileSystem);
        publisher.Publish(Drop, _name, BatchFileTestLayouts.TwoPayments());
        var writtenAt = File.GetLastWriteTimeUtc(Path.Combine(Drop, _name.ToString()));

        var again = publisher.Publish(Drop, _name, BatchFileTestLayouts.TwoPayments());

        Assert.True(again.AlreadyPublished);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(Path.Combine(Drop, _name.ToString())));
        Assert.Single(File.ReadAllLines(Path.Combine(Drop, _name.IndexName)));
    }

    [Fact]
    public void Publish_OtherContentUnderAPublishedName_RefusedAndOriginalKept()
    {
        var publisher = new BatchFilePublisher(_fileSystem);
        var original = BatchFileTestLayouts.TwoPayments();
        publisher.Publish(Drop, _name, original);

        Assert.Throws<IOException>(() => publisher.Publish(Drop, _name, BatchFileTestLayouts.TwoPayments(first: 1)));

        Assert.Equal(original.Text, File.ReadAllText(Path.Combine(Drop, _name.ToString())));
    }

    [Fact]
    public void Publish_FileLeftWithoutMarkerByACrash_CompletedWithMarker()
    {
        Directory.CreateDirectory(Drop);
        File.WriteAllText(Path.Combine(Drop, _name.ToString()), "H|CKBF|half");

        var published = new BatchFilePublisher(_fileSystem).Publish(Drop, _name, BatchFileTestLayouts.TwoPayments());

        Assert.False(published.AlreadyPublished);
        Assert.Equal(BatchFileTestLayouts.TwoPayments().Text, File.ReadAllText(published.Path));
        Assert.True(File.Exists(published.Path + ".done"));
    }

    [Fact]
    public void ListReady_FileWithoutDoneMarker_NotListedUntilMarked()
    {
        var inbox = NewInbox();
        Directory.CreateDirectory(Drop);
        File.WriteAllText(Path.Combine(Drop, _name.ToString()), BatchFileTestLayouts.TwoPayments().Text);

        var before = inbox.ListReady();
        File.WriteAllText(Path.Combine(Drop, _name.DoneMarker), string.Empty);
        var after = inbox.ListReady();

        Assert.Empty(before);
        Assert.Equal([_name.ToString()], after);
    }

    [Fact]
    public void Open_PublishedFile_CheckedAndCompleteMovesItToProcessed()
    {
        new BatchFilePublisher(_fileSystem).Publish(Drop, _name, BatchFileTestLayouts.TwoPayments());
        var inbox = NewInbox();

        var opened = inbox.Open(_name.ToString());
        inbox.Complete(_name.ToString());

        Assert.False(opened.Quarantined);
        Assert.Equal(500_012_346, opened.File!.AmountTotal);
        Assert.Empty(inbox.ListReady());
        Assert.True(File.Exists(Path.Combine(_root, "processed", _name.ToString())));
        Assert.True(File.Exists(Path.Combine(_root, "processed", _name.DoneMarker)));
    }

    [Fact]
    public void Open_TrailerTotalTampered_QuarantinedWithReasonFile()
    {
        Directory.CreateDirectory(Drop);
        var tampered = BatchFileTestLayouts.TwoPayments().Text.Replace("|000000000500012346", "|000000000500012345", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(Drop, _name.ToString()), tampered);
        File.WriteAllText(Path.Combine(Drop, _name.DoneMarker), string.Empty);
        var inbox = NewInbox();

        var opened = inbox.Open(_name.ToString());

        Assert.True(opened.Quarantined);
        Assert.Null(opened.File);
        Assert.Empty(Directory.GetFiles(Drop));
        Assert.Equal(tampered, File.ReadAllText(Path.Combine(_root, "quarantine", _name.ToString())));
        Assert.Contains("amount total", File.ReadAllText(Path.Combine(_root, "quarantine", _name + ".reason")), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ChangedAfterMarkedDone_QuarantinedForChecksum()
    {
        new BatchFilePublisher(_fileSystem).Publish(Drop, _name, BatchFileTestLayouts.TwoPayments());
        File.WriteAllText(Path.Combine(Drop, _name.ToString()), BatchFileTestLayouts.TwoPayments(first: 12_346, second: 5_000_000_00).Text);

        var opened = NewInbox().Open(_name.ToString());

        Assert.Contains("SHA-256", opened.QuarantineReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderDisagreesWithName_Quarantined()
    {
        var other = _name with { Sender = "BANKB" };
        Directory.CreateDirectory(Drop);
        File.WriteAllText(Path.Combine(Drop, other.ToString()), BatchFileTestLayouts.TwoPayments().Text);
        File.WriteAllText(Path.Combine(Drop, other.DoneMarker), string.Empty);

        var opened = NewInbox().Open(other.ToString());

        Assert.Contains("differs from the file name", opened.QuarantineReason, StringComparison.Ordinal);
    }

    private BatchFileInbox NewInbox() => new(_fileSystem, new BatchFileInboxOptions
    {
        InboxDirectory = Drop,
        QuarantineDirectory = Path.Combine(_root, "quarantine"),
        ProcessedDirectory = Path.Combine(_root, "processed"),
        Layouts = [BatchFileTestLayouts.Payments],
    });
}
