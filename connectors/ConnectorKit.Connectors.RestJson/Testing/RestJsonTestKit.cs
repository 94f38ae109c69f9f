using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.RestJson.Internal;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Webhooks;

namespace ConnectorKit.Connectors.RestJson.Testing;

/// <summary>
/// The REST/JSON bank for tests and the conformance suite: WireMock with this package's mappings answers the API;
/// decisions and payments arrive as webhooks signed per Standard Webhooks, as the bank would send them. Polling is
/// off, so every change comes from a signal the test sent.
/// </summary>
public sealed class RestJsonTestKit : IConnectorTestKit
{
    // The sandbox credentials the token mapping (wiremock/mappings/oauth2-token.json) accepts.
    private const string ClientId = "ck-test";
    private const string ClientSecret = "ck-secret-0123456789";
    private const string WebhookPath = "/webhooks/rest-json";
    private const string SubmitPath = "/v1/loan-applications";

    private readonly string _webhookSecret = WebhookSecret.Generate();

    public BankConnector Connector { get; } = new RestJsonConnector();

    public string MappingsDirectory => Path.Combine(AppContext.BaseDirectory, "wiremock", "rest-json", "mappings");

    public IReadOnlyDictionary<string, string?> Settings(Uri bankAddress, string workDirectory)
    {
        const string prefix = "ConnectorKit:Connectors:rest-json:";
        return new Dictionary<string, string?>
        {
            [prefix + "BaseAddress"] = bankAddress.ToString(),
            [prefix + "ClientId"] = ClientId,
            [prefix + "ClientSecret"] = ClientSecret,
            [prefix + "Webhook:Path"] = WebhookPath,
            [prefix + "Webhook:Secrets:0"] = _webhookSecret,
            [prefix + "Polling:Enabled"] = "false",
            [prefix + "Http:Timeout"] = "00:00:03",
            [prefix + "Http:TotalTimeout"] = "00:00:06",
            [prefix + "Http:MaxRetryAttempts"] = "2",
            [prefix + "Http:BaseDelay"] = "00:00:00.020",
            [prefix + "Http:MaxDelay"] = "00:00:00.100",
            [prefix + "Http:MaxRetryAfter"] = "00:00:02",
            // The fault cases fail on purpose; an open breaker would turn the next case's call into UNAVAILABLE.
            [prefix + "Http:BreakerMinimumThroughput"] = "1000",
        };
    }

    public IConnectorTestBank CreateBank(ConnectorTestEnvironment environment) => new Bank(environment, _webhookSecret);

    private sealed class Bank(ConnectorTestEnvironment environment, string secret) : IConnectorTestBank
    {
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private readonly ConcurrentDictionary<string, (string Id, string Body)> _last = new();
        private readonly WireMockFaults _faults = new(environment.WireMock, new Dictionary<BankOperation, (HttpMethod, string)>
        {
            [BankOperation.Submit] = (HttpMethod.Post, SubmitPath),
            [BankOperation.PushProfile] = (HttpMethod.Post, "/v1/credit-profiles"),
            [BankOperation.Quote] = (HttpMethod.Post, "/v1/quotes"),
        });

        public Task<SignalAnswer> ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken)
            => SendAsync(applicationId, Event("application.decided", applicationId, new JsonObject
            {
                ["decision"] = new JsonObject
                {
                    ["outcome"] = "approved",
                    ["decision_id"] = "D-" + applicationId,
                    ["approved_amount"] = Money(approval.AmountFen),
                    ["annual_rate_bp"] = approval.AnnualRateBp,
                    ["term_months"] = approval.TermMonths,
                },
            }), cancellationToken);

        public Task<SignalAnswer> RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken)
            => SendAsync(applicationId, Event("application.decided", applicationId, new JsonObject
            {
                ["decision"] = new JsonObject { ["outcome"] = "rejected", ["decision_id"] = "D-" + applicationId, ["reason_codes"] = new JsonArray(reasonCode) },
            }), cancellationToken);

        public Task<SignalAnswer> DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken)
            => SendAsync(applicationId, Event("disbursement.paid", applicationId, new JsonObject
            {
                ["tranche"] = new JsonObject
                {
                    ["tranche_id"] = trancheId,
                    ["status"] = "paid",
                    ["amount"] = Money(amountFen),
                    ["account_number"] = "6222020200112233445",
                    ["paid_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                },
            }), cancellationToken);

        public Task<SignalAnswer> RedeliverLastAsync(string applicationId, CancellationToken cancellationToken)
            => _last.TryGetValue(applicationId, out var last)
                ? DeliverAsync(last.Id, last.Body, cancellationToken)
                : throw new InvalidOperationException($"No webhook was sent for {applicationId} yet.");

        public async Task<IReadOnlyList<BankJournalEntry>> ForApplicationAsync(string applicationId, CancellationToken cancellationToken)
            => (await environment.WireMock.GetRequestsAsync(cancellationToken).ConfigureAwait(false))
                .Where(r => r.Url.Contains(applicationId, StringComparison.Ordinal) || r.Body.Contains(applicationId, StringComparison.Ordinal)
                            || (r.Headers.TryGetValue("Idempotency-Key", out var key) && key.Contains(applicationId, StringComparison.Ordinal)))
                .Select(r => new BankJournalEntry(r.Method, r.Url, r.Headers, r.Body))
                .ToList();

        /// <summary>The bank creates one application per distinct Idempotency-Key it processed (faults process nothing).</summary>
        public async Task<int> CountSubmissionsAsync(string applicationId, CancellationToken cancellationToken)
        {
            var submits = await environment.WireMock.FindRequestsAsync(HttpMethod.Post, SubmitPath, cancellationToken).ConfigureAwait(false);
            return submits
                .Where(r => !_faults.AnsweredByFault(r) && r.Body.Contains(applicationId, StringComparison.Ordinal))
                .Select(r => r.Headers.TryGetValue("Idempotency-Key", out var key) ? key : "(none) " + r.LoggedDate.ToUnixTimeMilliseconds() + r.GetHashCode())
                .Distinct(StringComparer.Ordinal)
                .Count();
        }

        public Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken) => _faults.InjectAsync(operation, fault, cancellationToken);

        public Task ClearAsync(CancellationToken cancellationToken) => _faults.ClearAsync(cancellationToken);

        private static JsonObject Money(long fen)
        {
            var amount = YuanAmount.ToBank(new Contracts.V1.Money { UnitsMinor = fen, CurrencyCode = "CNY" });
            return new JsonObject { ["value"] = amount.Value, ["currency"] = amount.Currency };
        }

        private static string Event(string type, string applicationId, JsonObject data)
        {
            data["external_id"] = applicationId;
            return new JsonObject { ["type"] = type, ["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), ["data"] = data }.ToJsonString();
        }

        private Task<SignalAnswer> SendAsync(string applicationId, string body, CancellationToken cancellationToken)
        {
            var id = "msg_" + Guid.NewGuid().ToString("N");
            _last[applicationId] = (id, body);
            return DeliverAsync(id, body, cancellationToken);
        }

        private async Task<SignalAnswer> DeliverAsync(string id, string body, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(environment.Gateway.BankFacingAddress, WebhookPath.TrimStart('/'))) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            foreach (var (name, value) in new StandardWebhookSigner(secret).CreateHeaders(id, DateTimeOffset.UtcNow, bytes))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var detail = $"webhook {id}: HTTP {(int)response.StatusCode} {text}";
            return response.IsSuccessStatusCode ? SignalAnswer.Ack(detail) : SignalAnswer.Refused(detail);
        }
    }
}
