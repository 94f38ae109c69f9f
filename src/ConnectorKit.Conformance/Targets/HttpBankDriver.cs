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

    public Task ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken)
        => SendAsync(applicationId, "approve", new JsonObject { ["amount_fen"] = approval.AmountFen, ["annual_rate_bp"] = approval.AnnualRateBp, ["term_months"] = approval.TermMonths }, cancellationToken);

    public Task RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken)
        => SendAsync(applicationId, "reject", new JsonObject { ["reason_code"] = reasonCode }, cancellationToken);

    public Task DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken)
        => SendAsync(applicationId, "disbursements", new JsonObject { ["tranche_id"] = trancheId, ["amount_fen"] = amountFen }, cancellationToken);

    public async Task RedeliverLastAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (!_last.TryGetValue(applicationId, out var last))
        {
            throw new InvalidOperationException($"Nothing was sent for {applicationId} yet.");
        }

        // The bank may refuse the repeat (409) or accept it without effect (2xx); both keep the rule.
        using var response = await PostAsync(applicationId, last.Path, last.Body, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException($"The bank's driver answered {(int)response.StatusCode} to a repeated {last.Path} for {applicationId}.");
        }
    }

    private async Task SendAsync(string applicationId, string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(applicationId, path, body, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The bank's driver answered {(int)response.StatusCode} to {path} for {applicationId}: {text}");
        }

        _last[applicationId] = (path, body);
    }

    private Task<HttpResponseMessage> PostAsync(string applicationId, string path, JsonObject body, CancellationToken cancellationToken)
        => http.PostAsJsonAsync($"applications/{Uri.EscapeDataString(applicationId)}/{path}", body, cancellationToken);
}
