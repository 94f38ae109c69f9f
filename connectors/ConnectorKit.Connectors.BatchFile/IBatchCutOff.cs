using ConnectorKit.Connectors.Files;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.BatchFile;

/// <summary>The daily cut-off: turns the request spool into published request files and tells the bank of them.</summary>
public interface IBatchCutOff
{
    /// <summary>
    /// Runs the cut-off now, for today's business date: seals the spool, publishes one file per type with records,
    /// retires the spool, then sends every pending transfer notification once. Also finishes a cut-off a crash
    /// interrupted. Runs one at a time; the scheduled run calls this too.
    /// </summary>
    Task<CutOffResult> RunAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends the transfer notifications still pending (a failed earlier attempt, or one a crash cut short).</summary>
    Task<IReadOnlyList<TransferNotification>> NotifyPendingAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a cut-off published and whether the bank heard of it.</summary>
public sealed record CutOffResult(IReadOnlyList<PublishedBatchFile> Published, IReadOnlyList<TransferNotification> Notifications);

/// <summary>One attempt to tell the bank of a published file.</summary>
/// <param name="Failure">Null when the bank acknowledged; otherwise the status the failure maps to (kept pending and retried).</param>
public sealed record TransferNotification(string FileName, StatusCode? Failure, string? Detail)
{
    public bool Delivered => Failure is null;
}

/// <summary>Reads the bank's return files from the inbox and applies them.</summary>
public interface IBatchReturnFiles
{
    /// <summary>Processes every ready file once, in name order; the scheduled poll calls this too.</summary>
    Task<IReadOnlyList<ReturnFileOutcome>> RunAsync(CancellationToken cancellationToken = default);
}

/// <summary>What became of one return file.</summary>
/// <param name="Applied">Records that changed an application (a callback was queued where the platform must hear).</param>
/// <param name="Duplicates">Records already applied, by their file-line or business key.</param>
/// <param name="QuarantineReason">Why the file was quarantined; null when it was applied and archived.</param>
public sealed record ReturnFileOutcome(string FileName, int Applied, int Duplicates, string? QuarantineReason);
