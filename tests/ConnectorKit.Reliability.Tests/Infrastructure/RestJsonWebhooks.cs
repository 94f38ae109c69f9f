using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Webhooks;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>
/// The REST/JSON bank's back office: decisions and payouts as webhooks signed per Standard Webhooks, in the shape
/// RestJsonTestKit sends them, posted to the gateway's bank-facing port.
/// </summary>
public sealed class RestJsonWebhooks(Uri bankFacingAddress, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = bankFacingAddress, Timeout = TimeSpan.FromSeconds(30) };
    private readonly StandardWebhookSigner _signer = new(secret);

    public Task ApproveAsync(string applicationId, long amountFen, CancellationToken cancellationToken) => SendAsync("application.decided", applicationId, new JsonObject
    {
        ["decision"] = new JsonObject
        {
            ["outcome"] = "approved",
            ["decision_id"] = "D-" + applicationId,
            ["approved_amount"] = Yuan(amountFen),
            ["annual_rate_bp"] = 385,
            ["term_months"] = 36,
        },
    }, cancellationToken);

    public Task PayAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken) => SendAsync("disbursement.paid", applicationId, new JsonObject
    {
        ["tranche"] = new JsonObject
        {
            ["tranche_id"] = trancheId,
            ["status"] = "paid",
            ["amount"] = Yuan(amountFen),
            ["account_number"] = "6222020200112233445",
            ["paid_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        },
    }, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static JsonObject Yuan(long fen) => new()
    {
        ["value"] = (fen / 100).ToString(CultureInfo.InvariantCulture) + "." + (fen % 100).ToString("00", CultureInfo.InvariantCulture),
        ["currency"] = "CNY",
    };

    private async Task SendAsync(string type, string applicationId, JsonObject data, CancellationToken cancellationToken)
    {
        data["external_id"] = applicationId;
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), ["data"] = data }.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/rest-json") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in _signer.CreateHeaders("msg_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, body))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The gateway refused the {type} webhook: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
