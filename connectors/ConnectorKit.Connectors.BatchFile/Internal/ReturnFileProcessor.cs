using System.Globalization;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// Applies the bank's return files. A file is checked whole twice before its first record is applied: by the
/// inbox (format, layout, trailer count and total) and here against the applications it names (known ids, known
/// result codes, no disbursement before approval or above the approved amount). A file failing either check is
/// quarantined and nothing of it is applied.
/// </summary>
internal sealed class ReturnFileProcessor(
    BatchFileInbox inbox,
    IBankSignals signals,
    IApplicationStore applications,
    ILogger<ReturnFileProcessor> logger) : IBatchReturnFiles
{
    private const string KeyPrefix = "batch-file:";
    private static readonly ApplicationState[] Undecided = [ApplicationState.Submitted, ApplicationState.UnderReview, ApplicationState.MoreInfoRequired];
    private static readonly ApplicationState[] Lending = [ApplicationState.Approved, ApplicationState.Disbursed, ApplicationState.Closed];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IReadOnlyList<ReturnFileOutcome>> RunAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var outcomes = new List<ReturnFileOutcome>();
            foreach (var name in inbox.ListReady())
            {
                cancellationToken.ThrowIfCancellationRequested();
                outcomes.Add(await ProcessAsync(name, cancellationToken).ConfigureAwait(false));
            }

            return outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReturnFileOutcome> ProcessAsync(string name, CancellationToken cancellationToken)
    {
        var opened = inbox.Open(name);
        if (opened.File is not { } file)
        {
            logger.LogWarning("Quarantined return file {FileName}: {Reason}", name, opened.QuarantineReason);
            return new ReturnFileOutcome(name, 0, 0, opened.QuarantineReason);
        }

        var steps = new List<Step>(file.Records.Count);
        var problems = new List<string>();
        var known = new Dictionary<string, Application?>(StringComparer.Ordinal);
        foreach (var record in file.Records)
        {
            var step = await PlanAsync(name + ":" + opened.Sha256![..16], record, known, cancellationToken).ConfigureAwait(false);
            if (step.Problem is not null)
            {
                problems.Add($"line {record.LineNumber}: {step.Problem}");
            }

            steps.Add(step);
        }

        if (problems.Count > 0)
        {
            var reason = "no record applied; " + string.Join("; ", problems);
            inbox.Quarantine(name, reason);
            logger.LogWarning("Quarantined return file {FileName}: {Reason}", name, reason);
            return new ReturnFileOutcome(name, 0, 0, reason);
        }

        int applied = 0, duplicates = 0;
        foreach (var step in steps)
        {
            if (step.Apply is null)
            {
                continue;
            }

            try
            {
                var result = await step.Apply(cancellationToken).ConfigureAwait(false);
                if (result.Duplicate)
                {
                    duplicates++;
                }
                else
                {
                    applied++;
                }
            }
            catch (Exception ex) when (ex is ApplicationTransitionException or ApplicationNotFoundException)
            {
                // The check above saw the applications as they were; a change since (the enterprise withdrew, a
                // concurrent file) can still refuse a record. Stop, and say exactly what was applied: the bank's
                // corrected re-send is recognised line by line through the business keys.
                var reason = $"line {step.LineNumber} refused after {applied} records were applied ({duplicates} duplicates), lines after it not applied: {ex.Message}";
                inbox.Quarantine(name, reason);
                logger.LogError("Quarantined return file {FileName}: {Reason}", name, reason);
                return new ReturnFileOutcome(name, applied, duplicates, reason);
            }
        }

        inbox.Complete(name);
        logger.LogInformation("Applied return file {FileName}: {Applied} records, {Duplicates} already applied.", name, applied, duplicates);
        return new ReturnFileOutcome(name, applied, duplicates, null);
    }

    // The delivery key names the file by name and content: the same file re-delivered repeats its keys, while a
    // corrected file under the same name does not; business keys dedupe the same decision or tranche either way.
    private async Task<Step> PlanAsync(string fileKey, BatchFileRecord record, Dictionary<string, Application?> known, CancellationToken ct)
    {
        var line = record.LineNumber;
        var lineKey = $"{KeyPrefix}{fileKey}:{line}";
        var appId = record["application_id"];
        if (!known.TryGetValue(appId, out var app))
        {
            var stored = await applications.GetApplicationAsync(appId, ct).ConfigureAwait(false);
            app = stored is null ? null : Application.Parser.ParseFrom(stored.Payload);
            known[appId] = app;
        }

        if (app is null)
        {
            return Step.Refused(line, $"unknown application {appId}");
        }

        return record.Layout.FileType == BankLayouts.Decisions.FileType
            ? PlanDecision(record, app, lineKey)
            : PlanDisbursement(record, app, lineKey);
    }

    private Step PlanDecision(BatchFileRecord record, Application app, string lineKey)
    {
        var line = record.LineNumber;
        var appId = app.ApplicationId;
        var code = ResultCodes.Decision(record["result_code"]);
        if (code is null)
        {
            return Step.Refused(line, $"unknown decision result code {record["result_code"]}");
        }

        if (code.Action == ResultAction.CancellationConfirmed)
        {
            return app.State == ApplicationState.Withdrawn
                ? new Step(line, null, null)
                : Step.Refused(line, $"cancellation confirmed for {appId}, which is {app.State.ToContractName()}, not withdrawn");
        }

        if (app.State == ApplicationState.Withdrawn)
        {
            return Step.Refused(line, $"decision for {appId}, which the enterprise withdrew");
        }

        var message = record["message"];
        switch (code.Action)
        {
            case ResultAction.Approve:
                var amount = record.Number("approved_amount_fen");
                var rate = record.Number("annual_rate_bp");
                var term = record.Number("term_months");
                if (amount <= 0 || rate <= 0 || term <= 0)
                {
                    return Step.Refused(line, "an approval needs approved_amount_fen, annual_rate_bp and term_months");
                }

                if (!Undecided.Contains(app.State) && app.State != ApplicationState.Approved)
                {
                    return Step.Refused(line, $"approval for {appId}, which is {app.State.ToContractName()}");
                }

                var terms = new ApprovedTerms
                {
                    Amount = new Money { UnitsMinor = amount, CurrencyCode = "CNY" },
                    AnnualRateBp = (int)rate,
                    TermMonths = (int)term,
                };
                app.State = ApplicationState.Approved;
                app.ApprovedTerms = terms;
                return new Step(line, null, ct => signals.ApproveAsync([lineKey, $"{KeyPrefix}decision:{appId}"], appId, terms, ct));
            case ResultAction.Reject:
                var rejection = new Rejection { ReasonCodes = { code.Reason }, Message = message };
                return new Step(line, null, ct => signals.RejectAsync([lineKey, $"{KeyPrefix}decision:{appId}"], appId, rejection, ct));
            case ResultAction.MoreInfo:
                if (message.Length == 0)
                {
                    return Step.Refused(line, "a more-information request names what is needed in message");
                }

                var request = new MoreInfoRequest { RequestedItems = { message }, Message = message };
                var reference = record["bank_reference"];
                return new Step(line, null, ct => signals.RequestMoreInfoAsync([lineKey, $"{KeyPrefix}more-info:{appId}:{reference}"], appId, request, ct));
            default:
                return new Step(line, null, ct => signals.StartReviewAsync([lineKey, $"{KeyPrefix}review:{appId}"], appId, message.Length == 0 ? null : message, ct));
        }
    }

    private Step PlanDisbursement(BatchFileRecord record, Application app, string lineKey)
    {
        var line = record.LineNumber;
        var appId = app.ApplicationId;
        var code = ResultCodes.Disbursement(record["result_code"]);
        if (code is null)
        {
            return Step.Refused(line, $"unknown disbursement result code {record["result_code"]}");
        }

        if (!Lending.Contains(app.State))
        {
            return Step.Refused(line, $"disbursement for {appId}, which is {app.State.ToContractName()}, not approved");
        }

        var amount = record.Number("amount_fen");
        var paid = code.Action == ResultAction.Paid;
        if (paid)
        {
            // Checked only before the first tranche: once some are paid, this file may re-send them, and the state
            // machine still refuses an overdraw when the record is applied.
            var inFile = (app.DisbursedTotal?.UnitsMinor ?? 0) + amount;
            if (app.ApprovedTerms is { } terms && inFile > terms.Amount.UnitsMinor && app.State == ApplicationState.Approved)
            {
                return Step.Refused(line, string.Create(CultureInfo.InvariantCulture, $"tranches of {inFile} fen exceed the approved {terms.Amount.UnitsMinor} fen of {appId}"));
            }

            if (app.State == ApplicationState.Approved)
            {
                app.DisbursedTotal = new Money { UnitsMinor = inFile, CurrencyCode = "CNY" };
            }
        }

        var money = new Money { UnitsMinor = amount, CurrencyCode = "CNY" };
        var account = record["account_number"];
        var trancheKey = $"{KeyPrefix}tranche:{record["tranche_id"]}";
        return new Step(line, null, ct => signals.DisburseAsync(
            [lineKey, trancheKey], appId, money, account, paid ? DisbursementStatus.Paid : DisbursementStatus.Failed, paid ? null : code.Reason, ct));
    }

    private sealed record Step(int LineNumber, string? Problem, Func<CancellationToken, Task<SignalResult>>? Apply)
    {
        public static Step Refused(int line, string problem) => new(line, problem, null);
    }
}
