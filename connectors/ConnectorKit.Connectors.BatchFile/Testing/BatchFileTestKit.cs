using System.Collections.Concurrent;
using System.Globalization;
using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Testing;

/// <summary>
/// The batch-file bank for tests and the conformance suite. WireMock with this package's mappings answers the
/// file-transfer notifications; the bank's decisions and payments are return files dropped into the inbox (data,
/// then done-marker) and read at once through <see cref="IBatchReturnFiles"/>. Schedules are off, so files move
/// only when a test triggers the cut-off or the inbox.
/// </summary>
public sealed class BatchFileTestKit : IConnectorTestKit
{
    /// <summary>The bank's party code in the settings and in every return file the kit writes.</summary>
    public const string BankCode = "BANKTEST";

    /// <summary>The account every driven tranche is paid to; only its masked form may reach the platform.</summary>
    public const string Account = "6222020200112233445";

    public BankConnector Connector { get; } = new BatchFileConnector();

    public string MappingsDirectory => Path.Combine(AppContext.BaseDirectory, "wiremock", "batch-file", "mappings");

    /// <summary>Drop directories under <c>{workDirectory}/batch-file/</c>; short HTTP limits so a transfer fault settles within seconds.</summary>
    public IReadOnlyDictionary<string, string?> Settings(Uri bankAddress, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(bankAddress);
        const string prefix = "ConnectorKit:Connectors:batch-file:";
        var root = Path.Combine(workDirectory, "batch-file");
        return new Dictionary<string, string?>
        {
            [prefix + "OutboxDirectory"] = Path.Combine(root, "outbox"),
            [prefix + "InboxDirectory"] = Path.Combine(root, "inbox"),
            [prefix + "QuarantineDirectory"] = Path.Combine(root, "quarantine"),
            [prefix + "ProcessedDirectory"] = Path.Combine(root, "processed"),
            [prefix + "StateDirectory"] = Path.Combine(root, "state"),
            [prefix + "BankCode"] = BankCode,
            [prefix + "RunSchedules"] = "false",
            [prefix + "FileTransfer:Address"] = bankAddress.ToString(),
            [prefix + "FileTransfer:Http:Timeout"] = "00:00:02",
            [prefix + "FileTransfer:Http:TotalTimeout"] = "00:00:04",
            [prefix + "FileTransfer:Http:MaxRetryAttempts"] = "2",
            [prefix + "FileTransfer:Http:BaseDelay"] = "00:00:00.050",
            [prefix + "FileTransfer:Http:MaxRetryAfter"] = "00:00:02",
            // Faults fail notifications on purpose; an open breaker would fail the next test's notification too.
            [prefix + "FileTransfer:Http:BreakerMinimumThroughput"] = "1000",
        };
    }

    public IConnectorTestBank CreateBank(ConnectorTestEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new Bank(environment);
    }

    /// <summary>A DECISIONS record approving <paramref name="applicationId"/> (result code 0000).</summary>
    public static IReadOnlyList<string> Approval(string applicationId, long amountFen, int annualRateBp = 385, int termMonths = 36, DateTimeOffset? decidedAt = null)
        => [applicationId, "0000", Number(amountFen), Number(annualRateBp), Number(termMonths), Timestamp(decidedAt), Reference(applicationId), "approved"];

    /// <summary>A DECISIONS record rejecting <paramref name="applicationId"/>; <paramref name="resultCode"/> is a 2xxx or 9001 code of record-layouts.md.</summary>
    public static IReadOnlyList<string> Rejection(string applicationId, string resultCode = "2001", DateTimeOffset? decidedAt = null)
        => [applicationId, resultCode, "", "", "", Timestamp(decidedAt), Reference(applicationId), "declined"];

    /// <summary>A DISBURSEMENTS record for one tranche; <paramref name="resultCode"/> 0000 is paid, 30xx returned.</summary>
    public static IReadOnlyList<string> Tranche(string trancheId, string applicationId, long amountFen, string resultCode = "0000", DateTimeOffset? paidAt = null)
        => [trancheId, applicationId, resultCode, Number(amountFen), Account, Timestamp(paidAt)];

    /// <summary>The text of a DECISIONS file from the bank to <paramref name="receiver"/>.</summary>
    public static BatchFileContent Decisions(string receiver, DateOnly businessDate, params IReadOnlyList<string>[] records)
        => BatchFileCodec.Write(BankLayouts.Decisions, BankCode, receiver, businessDate, records);

    /// <summary>The text of a DISBURSEMENTS file from the bank to <paramref name="receiver"/>.</summary>
    public static BatchFileContent Disbursements(string receiver, DateOnly businessDate, params IReadOnlyList<string>[] records)
        => BatchFileCodec.Write(BankLayouts.Disbursements, BankCode, receiver, businessDate, records);

    /// <summary>Writes <paramref name="text"/> into <paramref name="inbox"/> as the bank does: the data file, then (unless <paramref name="markDone"/> is false) its done-marker.</summary>
    /// <returns>The file name.</returns>
    public static string Drop(string inbox, BatchFileName name, string text, bool markDone = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        Directory.CreateDirectory(inbox);
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
        File.WriteAllBytes(Path.Combine(inbox, name.ToString()), bytes);
        if (markDone)
        {
            MarkDone(inbox, name.ToString(), bytes);
        }

        return name.ToString();
    }

    /// <summary>Writes the done-marker (SHA-256 of the data file) for a file already in <paramref name="inbox"/>.</summary>
    public static void MarkDone(string inbox, string fileName, byte[]? bytes = null)
        => File.WriteAllText(
            Path.Combine(inbox, fileName + BatchFileName.DoneSuffix),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes ?? File.ReadAllBytes(Path.Combine(inbox, fileName)))) + "\n");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset? at)
        => (at ?? DateTimeOffset.UtcNow).ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static string Reference(string applicationId) => "REF" + applicationId[^Math.Min(8, applicationId.Length)..];

    private sealed class Bank(ConnectorTestEnvironment environment) : IConnectorTestBank
    {
        private const string TransferPath = "/file-transfers";

        // One return file at a time: the inbox run applies every ready file, and each signal must learn its own file's fate.
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly Dictionary<string, int> _sequences = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, (string FileType, string Text)> _last = new(StringComparer.Ordinal);

        private BatchFileOptions Options => environment.Gateway.Services.GetRequiredService<IOptions<BatchFileOptions>>().Value;

        private DateOnly BusinessDate
            => DateOnly.FromDateTime(environment.Gateway.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(Options.BusinessUtcOffset).DateTime);

        public Task<SignalAnswer> ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(approval);
            var text = Decisions(Options.SenderCode, BusinessDate, Approval(applicationId, approval.AmountFen, approval.AnnualRateBp, approval.TermMonths)).Text;
            return SendAsync(applicationId, BankLayouts.Decisions.FileType, text, cancellationToken);
        }

        public Task<SignalAnswer> RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken)
        {
            var text = Decisions(Options.SenderCode, BusinessDate, Rejection(applicationId, ResultCodeFor(reasonCode))).Text;
            return SendAsync(applicationId, BankLayouts.Decisions.FileType, text, cancellationToken);
        }

        public Task<SignalAnswer> DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken)
        {
            var text = Disbursements(Options.SenderCode, BusinessDate, Tranche(trancheId, applicationId, amountFen)).Text;
            return SendAsync(applicationId, BankLayouts.Disbursements.FileType, text, cancellationToken);
        }

        /// <summary>The bank re-sends its last file for the application: the same bytes under the next sequence number.</summary>
        public Task<SignalAnswer> RedeliverLastAsync(string applicationId, CancellationToken cancellationToken)
            => _last.TryGetValue(applicationId, out var last)
                ? DeliverAsync(last.FileType, last.Text, cancellationToken)
                : throw new InvalidOperationException($"No return file named {applicationId} yet.");

        /// <summary>The file-transfer notifications of published request files that carry a record of the application.</summary>
        public async Task<IReadOnlyList<BankJournalEntry>> ForApplicationAsync(string applicationId, CancellationToken cancellationToken)
        {
            var files = PublishedRequestFiles()
                .Where(f => f.Records.Any(r => r.Values.Contains(applicationId)))
                .Select(f => f.Name)
                .ToHashSet(StringComparer.Ordinal);
            return (await environment.WireMock.FindRequestsAsync(HttpMethod.Post, TransferPath, cancellationToken).ConfigureAwait(false))
                .Where(r => r.Headers.TryGetValue("Idempotency-Key", out var key) && files.Contains(key))
                .Select(r => new BankJournalEntry(r.Method, r.Url, r.Headers, r.Body))
                .ToList();
        }

        /// <summary>
        /// Runs the cut-off, then counts the application's new-application (<c>N</c>) records in the request files the
        /// bank took in: published with their done-marker, and registered by a file-transfer notification the bank
        /// acknowledged (one in WireMock's journal, none still pending at the connector). A record the connector wrote
        /// into two files counts twice.
        /// </summary>
        public async Task<int> CountSubmissionsAsync(string applicationId, CancellationToken cancellationToken)
        {
            await environment.Gateway.Services.GetRequiredService<IBatchCutOff>().RunAsync(cancellationToken).ConfigureAwait(false);
            var told = (await environment.WireMock.FindRequestsAsync(HttpMethod.Post, TransferPath, cancellationToken).ConfigureAwait(false))
                .Select(r => r.Headers.TryGetValue("Idempotency-Key", out var key) ? key : null)
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            var pending = Path.Combine(Options.StateDirectory, "notify");
            return PublishedRequestFiles()
                .Where(f => f.Layout.FileType == BankLayouts.Applications.FileType && told.Contains(f.Name) && !File.Exists(Path.Combine(pending, f.Name + ".pending")))
                .Sum(f => f.Records.Count(r => r["action"] == "N" && r["application_id"] == applicationId));
        }

        /// <summary>
        /// Not supported: this bank is never called while a platform's request is served. A submit is on disk when the
        /// platform gets OK and reaches the bank only at the cut-off, so no bank fault can fail the submit.
        /// </summary>
        public Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken)
            => throw new NotSupportedException(
                $"The batch-file bank is not called during {operation}: the request is spooled to disk and answered OK, and the bank hears of it in the next file at the cut-off. "
                + $"A bank fault ({fault}) fails the file-transfer notification, which stays pending and is retried; it cannot fail the platform's call.");

        public Task ClearAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static string ResultCodeFor(string reasonCode)
            => reasonCode is { Length: 4 } && reasonCode.All(char.IsAsciiDigit) ? reasonCode : reasonCode switch
            {
                "CREDIT_GRADE_TOO_LOW" => "2001",
                "INSUFFICIENT_REVENUE" => "2002",
                "TRUST_BREAKING_RECORD" => "2003",
                "CONSENT_INVALID" => "2004",
                "DUPLICATE_APPLICATION" => "2005",
                "REQUEST_RECORD_INVALID" => "9001",
                _ => "2099",
            };

        private IEnumerable<(string Name, RecordLayout Layout, IReadOnlyList<BatchFileRecord> Records)> PublishedRequestFiles()
        {
            var outbox = Options.OutboxDirectory;
            if (!Directory.Exists(outbox))
            {
                yield break;
            }

            foreach (var path in Directory.GetFiles(outbox, "*.txt").Order(StringComparer.Ordinal))
            {
                // A file without its done-marker is not complete, so the bank does not read it.
                if (File.Exists(path + BatchFileName.DoneSuffix))
                {
                    var file = BatchFileCodec.Read(File.ReadAllText(path), BankLayouts.Requests);
                    yield return (Path.GetFileName(path), file.Layout, file.Records);
                }
            }
        }

        private Task<SignalAnswer> SendAsync(string applicationId, string fileType, string text, CancellationToken cancellationToken)
        {
            _last[applicationId] = (fileType, text);
            return DeliverAsync(fileType, text, cancellationToken);
        }

        // Acknowledged only when the file was applied and archived: a quarantined or waiting file is one the bank must send again.
        private async Task<SignalAnswer> DeliverAsync(string fileType, string text, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var sequence = _sequences[fileType] = _sequences.GetValueOrDefault(fileType) + 1;
                if (sequence > 999)
                {
                    throw new InvalidOperationException($"The bank ran out of {fileType} sequence numbers for {BusinessDate:yyyy-MM-dd}; a name has three digits.");
                }

                var name = Drop(Options.InboxDirectory, new BatchFileName(BankCode, Options.SenderCode, BusinessDate, fileType, sequence), text);
                var outcomes = await environment.Gateway.Services.GetRequiredService<IBatchReturnFiles>().RunAsync(cancellationToken).ConfigureAwait(false);
                return outcomes.FirstOrDefault(o => o.FileName == name) switch
                {
                    null => SignalAnswer.Refused($"{name}: still waiting in the inbox"),
                    { QuarantineReason: { } reason } => SignalAnswer.Refused($"{name}: quarantined ({reason})"),
                    var applied => SignalAnswer.Ack($"{name}: processed ({applied.Applied} applied, {applied.Duplicates} duplicates)"),
                };
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
