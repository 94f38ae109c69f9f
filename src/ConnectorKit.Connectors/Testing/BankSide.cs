namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// The bank's side of the flow, driven by the suite: a connector's driver sends the bank's webhooks, notifications
/// or return files; a live bank provides an endpoint in its sandbox that does the same.
/// </summary>
public interface IBankDriver
{
    Task<SignalAnswer> ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken);

    Task<SignalAnswer> RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken);

    /// <summary>Pays one tranche; <paramref name="trancheId"/> is unique per tranche, so a repeat is the same tranche.</summary>
    Task<SignalAnswer> DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken);

    /// <summary>Delivers the last signal for the application again, exactly as before (the bank's retry).</summary>
    Task<SignalAnswer> RedeliverLastAsync(string applicationId, CancellationToken cancellationToken);
}

/// <summary>
/// How the connector or bank answered a signal. Not acknowledged means the bank keeps it and delivers it again
/// (a webhook answered non-2xx, a notification without its acknowledgement, a return file quarantined).
/// </summary>
/// <param name="Detail">What came back, e.g. <c>HTTP 409</c>, for a reader of the report.</param>
public sealed record SignalAnswer(bool Acknowledged, string Detail)
{
    public static SignalAnswer Ack(string detail) => new(true, detail);

    public static SignalAnswer Refused(string detail) => new(false, detail);
}

/// <summary>The terms a driven approval carries.</summary>
public sealed record BankApproval(long AmountFen, int AnnualRateBp, int TermMonths);

/// <summary>What reached the bank, read from WireMock's request journal (connector mode only).</summary>
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

/// <summary>Faults injected between a connector and its bank (WireMock stubs that take priority over the bank's mappings).</summary>
public interface IBankFaults
{
    /// <summary>Makes the bank's endpoint for <paramref name="operation"/> answer with <paramref name="fault"/> until cleared.</summary>
    Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken);

    /// <summary>Removes every injected fault.</summary>
    Task ClearAsync(CancellationToken cancellationToken);
}

/// <summary>The bank-side calls a fault can be put on.</summary>
public enum BankOperation
{
    PushProfile,
    Submit,
    Quote,
}

/// <summary>What the bank does wrong.</summary>
public enum BankFault
{
    /// <summary>Answers only after the platform's deadline has passed.</summary>
    DelayBeyondDeadline,

    /// <summary>429 with Retry-After.</summary>
    TooManyRequests,

    /// <summary>503 with Retry-After.</summary>
    ServiceUnavailable,

    ConnectionReset,

    EmptyResponse,

    MalformedChunk,

    RandomDataThenClose,
}
