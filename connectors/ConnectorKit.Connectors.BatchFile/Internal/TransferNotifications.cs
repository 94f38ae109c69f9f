using System.IO.Abstractions;
using System.Text;
using System.Text.Json;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Grpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// Durable transfer notifications: a marker file per published file, written before the spool is retired and
/// deleted only after the bank acknowledged. A failure or a crash leaves the marker, so the bank is told of every
/// file at least once, and the file name as idempotency key makes it once at the bank.
/// </summary>
internal sealed class TransferNotifications(IFileSystem fileSystem, IFileTransferClient client, IOptions<BatchFileOptions> options, ILogger<TransferNotifications> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private string Directory => fileSystem.Path.Combine(options.Value.StateDirectory, "notify");

    public void Add(PublishedBatchFile file)
    {
        var notice = new FileTransferNotice(
            file.Name.ToString(),
            file.Name.FileType,
            file.Name.BusinessDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            file.RecordCount,
            file.AmountTotal,
            file.Sha256);
        fileSystem.Directory.CreateDirectory(Directory);
        AtomicFileWriter.Write(fileSystem, Marker(notice.FileName), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(notice)));
    }

    public IReadOnlyList<string> Pending()
        => fileSystem.Directory.Exists(Directory)
            ? fileSystem.Directory.GetFiles(Directory, "*.pending").Select(p => fileSystem.Path.GetFileName(p)[..^".pending".Length]).Order(StringComparer.Ordinal).ToList()
            : [];

    public async Task<IReadOnlyList<TransferNotification>> SendPendingAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var outcomes = new List<TransferNotification>();
            foreach (var name in Pending())
            {
                var notice = JsonSerializer.Deserialize<FileTransferNotice>(fileSystem.File.ReadAllText(Marker(name)))
                    ?? throw new InvalidDataException($"Notification marker for {name} is empty.");
                try
                {
                    await client.NotifyAsync(notice, cancellationToken).ConfigureAwait(false);
                    fileSystem.File.Delete(Marker(name));
                    outcomes.Add(new TransferNotification(name, null, null));
                    logger.LogInformation("The bank acknowledged file {FileName} ({Count} records, {Total} CNY).", name, notice.RecordCount, LogAmount.Yuan(notice.AmountTotalFen));
                }
                catch (RpcException ex)
                {
                    outcomes.Add(new TransferNotification(name, ex.StatusCode, ex.Status.Detail));
                    logger.LogWarning("Telling the bank of file {FileName} failed ({Status}: {Detail}); it stays pending and is retried.", name, ex.StatusCode, ex.Status.Detail);
                }
            }

            return outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string Marker(string fileName) => fileSystem.Path.Combine(Directory, fileName + ".pending");
}
