using ConnectorKit.Connectors.Http;

namespace ConnectorKit.Connectors.BatchFile;

/// <summary>Settings of the batch-file connector, bound from <c>ConnectorKit:Connectors:batch-file</c> and validated at start-up.</summary>
public sealed class BatchFileOptions
{
    /// <summary>Where request files, their done-markers and the day's index are published for the bank. Required.</summary>
    public string OutboxDirectory { get; set; } = string.Empty;

    /// <summary>Where the bank drops return files and their done-markers. Required.</summary>
    public string InboxDirectory { get; set; } = string.Empty;

    /// <summary>Where return files that fail a check go, each with a <c>.reason</c> file. Required.</summary>
    public string QuarantineDirectory { get; set; } = string.Empty;

    /// <summary>Where applied return files are archived. Required.</summary>
    public string ProcessedDirectory { get; set; } = string.Empty;

    /// <summary>The connector's own durable state: the request spool and pending transfer notifications. Required; keep it on the same disk as the outbox.</summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>Our party code in file names and headers (upper-case letters and digits). <value>Default <c>CKGATEWAY</c>.</value></summary>
    public string SenderCode { get; set; } = "CKGATEWAY";

    /// <summary>The bank's party code in file names and headers (upper-case letters and digits). Required.</summary>
    public string BankCode { get; set; } = string.Empty;

    /// <summary>Time of day, in business time, of the daily cut-off. <value>Default 17:00.</value></summary>
    public TimeSpan CutOffTime { get; set; } = TimeSpan.FromHours(17);

    /// <summary>Offset of business time from UTC; business dates in file names use it. <value>Default +08:00 (China Standard Time).</value></summary>
    public TimeSpan BusinessUtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How often the inbox is read for return files. <value>Default 1 minute.</value></summary>
    public TimeSpan InboxPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often pending transfer notifications are retried. <value>Default 30 seconds.</value></summary>
    public TimeSpan NotificationRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the cut-off, inbox and notification loops run in this process; off, only the trigger methods do the work. <value>Default true.</value></summary>
    public bool RunSchedules { get; set; } = true;

    /// <summary>The bank's file-transfer API, told of each published file.</summary>
    public FileTransferOptions FileTransfer { get; set; } = new();
}

/// <summary>The bank's "file transfer" HTTP endpoint.</summary>
public sealed class FileTransferOptions
{
    /// <summary>Base address of the bank's API; notifications go to <c>{Address}file-transfers</c>. Required.</summary>
    public Uri? Address { get; set; }

    /// <summary>Time-outs, retries and breaker of the HTTP client (section <c>FileTransfer:Http</c>).</summary>
    public BankHttpOptions Http { get; set; } = new();
}
