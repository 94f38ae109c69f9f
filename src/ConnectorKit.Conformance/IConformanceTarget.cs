using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance;

/// <summary>
/// The system under test, started once per run and shared by the cases: a connector in-process against WireMock
/// (connector mode) or a bank's live endpoint (server mode). Cases run in parallel against it, so each uses its own
/// enterprises and request ids.
/// </summary>
public interface IConformanceTarget : IAsyncDisposable
{
    /// <summary>Shown in reports, e.g. <c>connector rest-json</c> or <c>server https://bank.example:443</c>.</summary>
    string Name { get; }

    /// <summary>The bank id consents must name and callbacks carry.</summary>
    string BankId { get; }

    /// <summary>What the target declares it supports; cases needing more are skipped with the reason.</summary>
    ConnectorCapabilities Capabilities { get; }

    /// <summary>Calls the target's contract; the suite wraps it to record evidence.</summary>
    CallInvoker CallInvoker { get; }

    /// <summary>The platform's LoanEvents endpoint the target delivers callbacks to.</summary>
    CallbackRecorder Callbacks { get; }

    /// <summary>Makes the bank decide and pay out, as its own systems would.</summary>
    IBankDriver Driver { get; }

    /// <summary>What reached the bank's API; null where it cannot be seen (server mode).</summary>
    IBankJournal? Journal { get; }
}

/// <summary>
/// The bank's side of the flow, driven by the suite: a connector's driver sends the bank's webhooks, notifications
/// or return files; a live bank provides an endpoint in its sandbox that does the same.
/// </summary>
public interface IBankDriver
{
    Task ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken);

    Task RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken);

    /// <summary>Pays one tranche; <paramref name="trancheId"/> is unique per tranche, so a repeat is the same tranche.</summary>
    Task DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken);

    /// <summary>Delivers the last signal for the application again, exactly as before (the bank's retry).</summary>
    Task RedeliverLastAsync(string applicationId, CancellationToken cancellationToken);
}

/// <summary>The terms a driven approval carries.</summary>
public sealed record BankApproval(long AmountFen, int AnnualRateBp, int TermMonths);

/// <summary>What reached the bank, read from WireMock's request journal.</summary>
public interface IBankJournal
{
    /// <summary>The bank-side requests that carried the application's id (idempotency key, external reference or file record).</summary>
    Task<IReadOnlyList<BankJournalEntry>> ForApplicationAsync(string applicationId, CancellationToken cancellationToken);

    /// <summary>Logical submissions of the application the bank saw, however many HTTP attempts carried them.</summary>
    Task<int> CountSubmissionsAsync(string applicationId, CancellationToken cancellationToken);
}

/// <summary>One request as the bank received it.</summary>
/// <param name="Body">The body with secrets masked.</param>
public sealed record BankJournalEntry(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string Body);
