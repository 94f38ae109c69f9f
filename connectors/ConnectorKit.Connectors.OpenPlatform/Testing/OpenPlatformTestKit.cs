using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Connectors.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace ConnectorKit.Connectors.OpenPlatform.Testing;

/// <summary>
/// The open-platform gateway bank for tests and the conformance suite: WireMock with this package's mappings answers
/// the one gateway URL, every answer signed with the TEST-ONLY bank key shipped beside them; decisions and payments
/// arrive as notifications the bank signs, and count as delivered only when the connector answers with an
/// acknowledgement that verifies with the connector's public key.
/// </summary>
/// <remarks>
/// The journal counts applications as a bank idempotent on <c>out_biz_no</c> holds them. A submit
/// (<c>loan.apply.submit</c>) files something only when the bank's own mappings accepted it (<c>return_code</c> 0);
/// faults, refusals and unknown outcomes file nothing. Accepted submits under one <c>out_biz_no</c> with the same
/// <c>biz_content</c> are one application (the bank answers a replay with the first result, so concurrent duplicates
/// and retries are harmless); each other content under it counts as one more, because the real bank would refuse it
/// (20001) where WireMock accepts it. A submit under any other <c>out_biz_no</c> is not this application: a connector
/// that does not send the application id as <c>out_biz_no</c> leaves the bank with none of it.
/// </remarks>
public sealed class OpenPlatformTestKit : IConnectorTestKit
{
    /// <summary>The app id the kit configures and its notifications carry.</summary>
    public const string AppId = "10000001";

    /// <summary>The gateway's path on the WireMock; part of every signed request text.</summary>
    public const string GatewayPath = "/gateway.do";

    /// <summary>Where the kit's connector takes notifications, on the gateway host's bank-facing port.</summary>
    public const string NotifyPath = "/open-platform/notify";

    /// <summary>The gateway method a submit travels as; faults on <see cref="BankOperation.Submit"/> hit only this one.</summary>
    public const string SubmitMethod = "loan.apply.submit";

    public BankConnector Connector { get; } = new OpenPlatformConnector();

    public string MappingsDirectory => Path.Combine(Root, "mappings");

    /// <summary>The TEST-ONLY key pairs of the bank and the connector (public in the repository; never use them elsewhere).</summary>
    public static string KeysDirectory => Path.Combine(Root, "keys");

    /// <summary>The TEST-ONLY bank private key, which signs the mappings' answers and the kit's notifications.</summary>
    public static string BankPrivateKeyPem => Key("TEST-ONLY-bank-private.pem");

    public static string BankPublicKeyPem => Key("TEST-ONLY-bank-public.pem");

    /// <summary>The TEST-ONLY connector private key the kit configures; the bank registered its public half.</summary>
    public static string ConnectorPrivateKeyPem => Key("TEST-ONLY-connector-private.pem");

    public static string ConnectorPublicKeyPem => Key("TEST-ONLY-connector-public.pem");

    private static string Root => Path.Combine(AppContext.BaseDirectory, "wiremock", "open-platform");

    public IReadOnlyDictionary<string, string?> Settings(Uri bankAddress, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(bankAddress);
        const string prefix = "ConnectorKit:Connectors:open-platform:";
        return new Dictionary<string, string?>
        {
            [prefix + "GatewayUrl"] = new Uri(bankAddress, GatewayPath.TrimStart('/')).ToString(),
            [prefix + "AppId"] = AppId,
            [prefix + "NotifyPath"] = NotifyPath,
            [prefix + "Keys:PrivateKeyPem"] = ConnectorPrivateKeyPem,
            [prefix + "Keys:PrivateKeyId"] = "connector-test",
            [prefix + "Keys:PeerPublicKeys:0:KeyId"] = "bank-test",
            [prefix + "Keys:PeerPublicKeys:0:Pem"] = BankPublicKeyPem,
            [prefix + "MaxAttempts"] = "2",
            [prefix + "RetryDelay"] = "00:00:00.050",
            [prefix + "MaxRetryAfter"] = "00:00:02",
            [prefix + "Http:Timeout"] = "00:00:02",
            [prefix + "Http:TotalTimeout"] = "00:00:02",
            // The fault cases fail on purpose; an open breaker would turn the next case's call into UNAVAILABLE.
            [prefix + "Http:BreakerMinimumThroughput"] = "1000",
        };
    }

    public IConnectorTestBank CreateBank(ConnectorTestEnvironment environment) => new Bank(environment);

    /// <summary>
    /// The bank's signer: its TEST-ONLY private key, trusting the connector's public key (to verify acknowledgements).
    /// Dispose it.
    /// </summary>
    public static GatewayKeyRing CreateBankKeyRing(string? bankPrivateKeyPem = null) => GatewayKeyRing.Create(new GatewayKeyRingOptions
    {
        PrivateKeyPem = bankPrivateKeyPem ?? BankPrivateKeyPem,
        PrivateKeyId = "bank-test",
        PeerPublicKeys = { new GatewayPublicKey { KeyId = "connector-test", Pem = ConnectorPublicKeyPem } },
    });

    /// <summary>A notification form as the bank posts it to <see cref="NotifyPath"/>, signed with <paramref name="bank"/>.</summary>
    /// <param name="sentAt">Its <c>timestamp</c>; now when null.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Notification(
        GatewayKeyRing bank, string method, string notifyId, string bizContent, DateTimeOffset? sentAt = null, string appId = AppId)
        => GatewaySignature.Sign(bank, NotifyPath,
        [
            new("app_id", appId),
            new("method", method),
            new("notify_id", notifyId),
            new("format", "json"),
            new("charset", "utf-8"),
            new("sign_type", "RSA2"),
            new("timestamp", GatewayNotification.FormatTimestamp(sentAt ?? DateTimeOffset.UtcNow)),
            new("biz_content", bizContent),
        ]);

    /// <summary>The fields of a gateway call, decoded from a journalled form body.</summary>
    public static Dictionary<string, string> Form(string body)
        => QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private static string Key(string file) => File.ReadAllText(Path.Combine(KeysDirectory, file));

    private sealed class Bank : IConnectorTestBank
    {
        private const string DecidedMethod = "loan.apply.decided";
        private const string DisbursementMethod = "loan.disbursement.notify";
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

        private readonly ConnectorTestEnvironment _environment;
        private readonly GatewayKeyRing _ring = CreateBankKeyRing();
        private readonly ConcurrentDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> _last = new();
        private readonly ConcurrentDictionary<Guid, bool> _accepts = new();
        private readonly WireMockFaults _faults;

        public Bank(ConnectorTestEnvironment environment)
        {
            _environment = environment;

            // One URL serves every method; the form names it, so a submit fault must leave queries and pushes alone.
            _faults = new WireMockFaults(environment.WireMock, new Dictionary<BankOperation, WireMockEndpoint>
            {
                [BankOperation.Submit] = Method(SubmitMethod),
                [BankOperation.PushProfile] = Method("credit.profile.sync"),
                [BankOperation.Quote] = Method("loan.quote.calculate"),
            })
            {
                // Past the kit's 2 s per-call time-out, without holding WireMock's threads for long after the case.
                Delay = TimeSpan.FromSeconds(5),
            };
        }

        public Task<SignalAnswer> ApproveAsync(string applicationId, BankApproval approval, CancellationToken cancellationToken)
            => SendAsync(applicationId, DecidedMethod, "N-" + Guid.NewGuid().ToString("N"), new JsonObject
            {
                ["out_biz_no"] = applicationId,
                ["decision_no"] = "D-" + applicationId,
                ["decision"] = "APPROVED",
                ["approved_amount"] = approval.AmountFen,
                ["currency"] = "CNY",
                ["annual_rate_bp"] = approval.AnnualRateBp,
                ["term_months"] = approval.TermMonths,
            }, cancellationToken);

        public Task<SignalAnswer> RejectAsync(string applicationId, string reasonCode, CancellationToken cancellationToken)
            => SendAsync(applicationId, DecidedMethod, "N-" + Guid.NewGuid().ToString("N"), new JsonObject
            {
                ["out_biz_no"] = applicationId,
                ["decision_no"] = "D-" + applicationId,
                ["decision"] = "REJECTED",
                ["reject_codes"] = new JsonArray(reasonCode),
                ["message"] = "rejected by the test bank",
            }, cancellationToken);

        // The bank keeps one notify_id per event until it is acknowledged, so a tranche sent again carries the same one.
        public Task<SignalAnswer> DisburseAsync(string applicationId, string trancheId, long amountFen, CancellationToken cancellationToken)
            => SendAsync(applicationId, DisbursementMethod, "N-" + trancheId, new JsonObject
            {
                ["out_biz_no"] = applicationId,
                ["tranche_no"] = trancheId,
                ["amount"] = amountFen,
                ["currency"] = "CNY",
                ["account_no"] = "6222020200112233445",
                ["status"] = "PAID",
            }, cancellationToken);

        public Task<SignalAnswer> RedeliverLastAsync(string applicationId, CancellationToken cancellationToken)
            => _last.TryGetValue(applicationId, out var form)
                ? DeliverAsync(form, cancellationToken)
                : throw new InvalidOperationException($"No notification was sent for {applicationId} yet.");

        public async Task<IReadOnlyList<BankJournalEntry>> ForApplicationAsync(string applicationId, CancellationToken cancellationToken)
            => (await GatewayCallsAsync(cancellationToken).ConfigureAwait(false))
                .Where(c => c.Form.GetValueOrDefault("biz_content", string.Empty).Contains(applicationId, StringComparison.Ordinal))
                .Select(c => new BankJournalEntry(c.Request.Method, c.Request.Url, c.Request.Headers, c.Request.Body))
                .ToList();

        /// <summary>Distinct contents the bank accepted under out_biz_no = the application id (see the kit's remarks).</summary>
        public async Task<int> CountSubmissionsAsync(string applicationId, CancellationToken cancellationToken)
        {
            var filed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (request, form) in await GatewayCallsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (form.GetValueOrDefault("method") == SubmitMethod
                    && OutBizNo(form) == applicationId
                    && !_faults.AnsweredByFault(request)
                    && request.StubId is { } stub
                    && await AcceptsAsync(stub, cancellationToken).ConfigureAwait(false))
                {
                    filed.Add(form["biz_content"]);
                }
            }

            return filed.Count;
        }

        public Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken) => _faults.InjectAsync(operation, fault, cancellationToken);

        public Task ClearAsync(CancellationToken cancellationToken) => _faults.ClearAsync(cancellationToken);

        private static WireMockEndpoint Method(string method)
            => new(HttpMethod.Post, GatewayPath, $"(.*&)?method={method.Replace(".", "\\.", StringComparison.Ordinal)}(&.*)?");

        private static string? OutBizNo(Dictionary<string, string> form)
        {
            try
            {
                using var biz = JsonDocument.Parse(form.GetValueOrDefault("biz_content", "{}"));
                return biz.RootElement.ValueKind == JsonValueKind.Object && biz.RootElement.TryGetProperty("out_biz_no", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private async Task<List<(WireMockRequest Request, Dictionary<string, string> Form)>> GatewayCallsAsync(CancellationToken cancellationToken)
            => (await _environment.WireMock.FindRequestsAsync(HttpMethod.Post, GatewayPath, cancellationToken).ConfigureAwait(false))
                .Select(r => (r, Form(r.Body)))
                .ToList();

        /// <summary>Whether the stub answers return_code 0; the mappings' answers are static, so the stub tells what the bank said.</summary>
        private async Task<bool> AcceptsAsync(Guid stub, CancellationToken cancellationToken)
        {
            if (_accepts.TryGetValue(stub, out var known))
            {
                return known;
            }

            using var response = await Http.GetAsync(new Uri(_environment.WireMock.BaseAddress, "__admin/mappings/" + stub), cancellationToken).ConfigureAwait(false);
            var accepts = false;
            if (response.IsSuccessStatusCode
                && JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))?["response"]?["body"] is JsonValue body
                && body.TryGetValue<string>(out var text))
            {
                try
                {
                    accepts = JsonNode.Parse(text)?["response_biz_content"]?["return_code"] is JsonValue code && code.TryGetValue<int>(out var value) && value == 0;
                }
                catch (JsonException)
                {
                    // Not a gateway answer at all (garbage on purpose): nothing filed.
                }
            }

            return _accepts[stub] = accepts;
        }

        private async Task<SignalAnswer> SendAsync(string applicationId, string method, string notifyId, JsonObject biz, CancellationToken cancellationToken)
        {
            var form = Notification(_ring, method, notifyId, biz.ToJsonString());
            _last[applicationId] = form;
            return await DeliverAsync(form, cancellationToken).ConfigureAwait(false);
        }

        private async Task<SignalAnswer> DeliverAsync(IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
        {
            var notifyId = form.First(p => p.Key == "notify_id").Value;
            using var content = new FormUrlEncodedContent(form);
            using var response = await Http.PostAsync(new Uri(_environment.Gateway.BankFacingAddress, NotifyPath.TrimStart('/')), content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var detail = string.Create(CultureInfo.InvariantCulture, $"notification {notifyId}: HTTP {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return SignalAnswer.Refused(detail);
            }

            // The bank takes only the connector's signed acknowledgement of this very notification as delivery.
            try
            {
                using var ack = GatewayResponse.Verify(_ring, body).Parse();
                var root = ack.RootElement;
                var acknowledged = root.TryGetProperty("return_code", out var code) && code.TryGetInt32(out var value) && value == 0
                                   && root.TryGetProperty("notify_id", out var id) && id.GetString() == notifyId;
                return acknowledged ? SignalAnswer.Ack(detail) : SignalAnswer.Refused(detail + " (not an acknowledgement of this notification)");
            }
            catch (GatewaySignatureException e)
            {
                return SignalAnswer.Refused(detail + " (" + e.Message + ")");
            }
        }
    }
}
