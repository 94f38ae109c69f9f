using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Conformance.Targets;

/// <summary>
/// Drives a live bank's sandbox over HTTP: <c>POST {url}applications/{id}/approve</c> <c>{amount_fen,
/// annual_rate_bp, term_months}</c>, <c>/reject</c> <c>{reason_code}</c>, <c>/disbursements</c> <c>{tranche_id,
/// amount_fen}</c>, with the driver token as a bearer. 2xx applies; a repeat of a command must have no second
/// effect. docs/for-integrators.md describes the endpoint a bank provides.
/// </summary>
internal sealed class HttpBankDriver(HttpClient http) : IBankDriver
{
    private readonly ConcurrentDictionary<string, (string Path, JsonObject Body)> _last = new();

    public static HttpBankDriver Create(Uri url, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri(url.ToString().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new HttpBankDriver(http);
    }

    public Task<SignalAnswer> ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken)
        => SendAsync(applicationId, "approve", new JsonObject { ["amount_fen"] = approval.AmountFen, ["annual_rate_bp"] = approval.AnnualRateBp, ["term_months"] = approval.TermMonths }, cancellationToken);

    public Task<SignalAnswer> RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken)
        => SendAsync(applicationId, "reject", new JsonObject { ["reason_code"] = reasonCode }, cancellationToken);

    public Task<SignalAnswer> DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken)
        => SendAsync(applicationId, "disbursements", new JsonObject { ["tranche_id"] = trancheId, ["amount_fen"] = amountFen }, cancellationToken);

    public Task<SignalAnswer> RedeliverLastAsync(string applicationId, CancellationToken cancellationToken)
        => _last.TryGetValue(applicationId, out var last)
            ? SendAsync(applicationId, last.Path, last.Body, cancellationToken)
            : throw new InvalidOperationException($"Nothing was sent for {applicationId} yet.");

    /// <summary>2xx: applied (or a repeat without effect); 409: the bank's state does not allow it yet; anything else is a driver fault.</summary>
    private async Task<SignalAnswer> SendAsync(string applicationId, string path, JsonObject body, CancellationToken cancellationToken)
    {
        _last[applicationId] = (path, body);
        using var response = await PostAsync(applicationId, path, body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return SignalAnswer.Ack($"HTTP {(int)response.StatusCode} {text}");
        }

        return response.StatusCode == HttpStatusCode.Conflict
            ? SignalAnswer.Refused($"HTTP 409 {text}")
            : throw new InvalidOperationException($"The bank's driver answered {(int)response.StatusCode} to {path} for {applicationId}: {text}");
    }

    private Task<HttpResponseMessage> PostAsync(string applicationId, string path, JsonObject body, CancellationToken cancellationToken)
        => http.PostAsJsonAsync($"applications/{Uri.EscapeDataString(applicationId)}/{path}", body, cancellationToken);
}
