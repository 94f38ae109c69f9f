using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>
/// The bank's REST API as a typed HttpClient. Every POST carries an <c>Idempotency-Key</c> fixed by the logical
/// operation (the application id for a submit, a hash of what identifies the operation otherwise), so the resilience
/// handler's retries and a platform's retry of the same request reuse it. Failures come out as RpcException.
/// </summary>
internal sealed class RestJsonBankApi(HttpClient http, BankIdentity bank, TimeProvider timeProvider)
{
    internal const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The bank's problem code for a key already used with another payload (the draft's 422).</summary>
    internal const string KeyReusedCode = "IDEMPOTENCY_KEY_REUSED";

    public async Task UpsertProfileAsync(BankProfile profile, CancellationToken ct)
    {
        var key = DerivedKey("profile", profile.CreditCode, profile.Source, profile.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await PostAsync("v1/credit-profiles", profile, key, ct).ConfigureAwait(false);
    }

    public async Task RevokeConsentAsync(BankConsentRevocation revocation, CancellationToken ct)
    {
        using var response = await PostAsync("v1/consent-revocations", revocation, DerivedKey("revoke", revocation.ConsentId), ct).ConfigureAwait(false);
    }

    public async Task<BankQuote> QuoteAsync(BankQuoteRequest request, CancellationToken ct)
    {
        // Quotes change nothing at the bank; the key still lets it answer a retried request from its cache.
        var key = DerivedKey("quote", System.Text.Json.JsonSerializer.Serialize(request, BankJson.Options));
        using var response = await PostAsync("v1/quotes", request, key, ct).ConfigureAwait(false);
        return await ReadAsync<BankQuote>(response, ct).ConfigureAwait(false);
    }

    public async Task SubmitApplicationAsync(BankApplicationRequest request, CancellationToken ct)
    {
        using var response = await PostAsync("v1/loan-applications", request, request.ExternalId, ct).ConfigureAwait(false);
    }

    public async Task CancelApplicationAsync(string externalId, string reason, CancellationToken ct)
    {
        using var response = await PostAsync(
            $"v1/loan-applications/{Uri.EscapeDataString(externalId)}/cancellation", new BankCancellation(reason), DerivedKey("cancel", externalId), ct).ConfigureAwait(false);
    }

    /// <summary>The application as the bank has it, or null when the bank does not know it.</summary>
    public async Task<BankApplication?> GetApplicationAsync(string externalId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/loan-applications/{Uri.EscapeDataString(externalId)}");
        using var response = await SendAsync(request, notFoundIsNull: true, ct).ConfigureAwait(false);
        return response is null ? null : await ReadAsync<BankApplication>(response, ct).ConfigureAwait(false);
    }

    /// <summary>A key that is the same for every attempt of one logical operation and hides what it was made from.</summary>
    internal static string DerivedKey(string operation, params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(operation + "\n" + string.Join("\n", parts)));
        return operation + "-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private async Task<HttpResponseMessage> PostAsync<T>(string path, T body, string idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: BankJson.Options) };
        request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
        return (await SendAsync(request, notFoundIsNull: false, ct).ConfigureAwait(false))!;
    }

    private async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request, bool notFoundIsNull, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw BankErrorMapper.Map(e, bank.Id);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            var error = await BankErrorMapper.MapAsync(response, bank.Id, timeProvider, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity && error.GetDetail<ErrorInfo>() is { Reason: KeyReusedCode } info)
            {
                // Same key, other payload: this request id was already used for something else, as the server itself answers.
                throw RichStatus.Create(StatusCode.AlreadyExists, "The bank already holds an application under this id with other content. " + error.Status.Detail, info);
            }

            throw error;
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(BankJson.Options, ct).ConfigureAwait(false)
                   ?? throw new System.Text.Json.JsonException("null body");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw RichStatus.WithErrorInfo(StatusCode.Unavailable, $"Bank '{bank.Id}' answered a body this connector cannot read: {e.Message}", "MALFORMED_RESPONSE", bank.Id);
        }
        catch (HttpRequestException e)
        {
            throw BankErrorMapper.Map(e, bank.Id);
        }
    }
}

/// <summary>The bank id ErrorInfo names as its domain: this gateway's <c>ConnectorKit:Server:BankId</c>.</summary>
internal sealed record BankIdentity(string Id);
