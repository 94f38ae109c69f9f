namespace ConnectorKit.Connectors.Http;

/// <summary>Per-request flags read by the bank resilience handler.</summary>
public static class BankHttpRequestOptions
{
    /// <summary>
    /// Set to true on a request the bank treats as idempotent although its method is not (a query sent as POST),
    /// so the handler may retry it: <c>request.Options.Set(BankHttpRequestOptions.Idempotent, true)</c>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("ConnectorKit.Connectors.Http.Idempotent");
}
