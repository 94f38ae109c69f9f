using ConnectorKit.Connectors.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// The cut-off, in an order a crash can interrupt anywhere: seal (rename) → write and publish the file → add the
/// pending notification → retire the sealed spool. Each step is repeatable, and a sealed spool always becomes the
/// same file name, so a rerun finishes the work without losing a record or publishing one twice.
/// </summary>
internal sealed class BatchCutOff(
    RequestSpool spool,
    BatchFilePublisher publisher,
    TransferNotifications notifications,
    IOptions<BatchFileOptions> options,
    TimeProvider time,
    ILogger<BatchCutOff> logger) : IBatchCutOff
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public DateOnly BusinessDate => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(options.Value.BusinessUtcOffset).DateTime);

    public Task<CutOffResult> RunAsync(CancellationToken cancellationToken = default) => RunCoreAsync(seal: true, cancellationToken);

    /// <summary>Finishes only what an interrupted run sealed, without sealing today's spool: for start-up.</summary>
    public Task<CutOffResult> RecoverAsync(CancellationToken cancellationToken = default) => RunCoreAsync(seal: false, cancellationToken);

    private async Task<CutOffResult> RunCoreAsync(bool seal, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        List<PublishedBatchFile> published = [];
        try
        {
            var o = options.Value;
            var date = BusinessDate;
            foreach (var layout in seal ? BankLayouts.Requests : [])
            {
                var sequence = NextSequence(date, layout.FileType);
                spool.Seal(layout, new BatchFileName(o.SenderCode, o.BankCode, date, layout.FileType, sequence));
            }

            // Sealed spools left by an interrupted run are finished here too, under the names they were sealed with.
            foreach (var sealedSpool in spool.Sealed())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = sealedSpool.FileName;
                var layout = BankLayouts.Requests.Single(l => l.FileType == name.FileType);
                var records = spool.Read(sealedSpool);
                if (records.Count > 0)
                {
                    var content = BatchFileCodec.Write(layout, name.Sender, name.Receiver, name.BusinessDate, records);
                    var file = publisher.Publish(o.OutboxDirectory, name, content);
                    notifications.Add(file);
                    published.Add(file);
                    logger.LogInformation("Published {FileName}: {Count} records, {Total} CNY{Again}.", name, file.RecordCount, LogAmount.Yuan(file.AmountTotal), file.AlreadyPublished ? " (already there)" : string.Empty);
                }

                spool.Retire(sealedSpool);
            }
        }
        finally
        {
            _gate.Release();
        }

        var sent = await notifications.SendPendingAsync(cancellationToken).ConfigureAwait(false);
        return new CutOffResult(published, sent);
    }

    public Task<IReadOnlyList<TransferNotification>> NotifyPendingAsync(CancellationToken cancellationToken = default)
        => notifications.SendPendingAsync(cancellationToken);

    private int NextSequence(DateOnly date, string fileType)
    {
        var o = options.Value;
        var probe = new BatchFileName(o.SenderCode, o.BankCode, date, fileType, 1);
        var indexed = publisher.ReadIndex(o.OutboxDirectory, probe)
            .Select(line => BatchFileName.TryParse(line.Split('|')[0], out var n) ? n : null)
            .Where(n => n is not null && n.FileType == fileType)
            .Select(n => n!.Sequence);
        return indexed.Append(spool.MaxSealedSequence(date, fileType)).Max() + 1;
    }
}
