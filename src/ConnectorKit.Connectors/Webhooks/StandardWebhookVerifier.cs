using System.Globalization;
using System.Security.Cryptography;
using ConnectorKit.Connectors.Webhooks.Internal;
using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Connectors.Webhooks;

/// <summary>
/// Verifies deliveries signed per Standard Webhooks 1.0: an HMAC-SHA256 of <c>id.timestamp.body</c> under any of the
/// configured secrets, matched in constant time against each <c>v1</c> signature of the header, with the timestamp
/// within the tolerance either way. Deduplication by <c>webhook-id</c> is left to the caller.
/// </summary>
public sealed class StandardWebhookVerifier
{
    private readonly WebhookSecret[] secrets;
    private readonly TimeSpan tolerance;
    private readonly int maxBodyBytes;
    private readonly TimeProvider timeProvider;

    /// <exception cref="ArgumentException">No secret, a malformed secret, or a negative tolerance.</exception>
    public StandardWebhookVerifier(StandardWebhookOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Secrets.Count == 0)
        {
            throw new ArgumentException("At least one webhook secret is required.", nameof(options));
        }

        if (options.Tolerance < TimeSpan.Zero || options.MaxBodyBytes <= 0)
        {
            throw new ArgumentException("Tolerance must not be negative and MaxBodyBytes must be positive.", nameof(options));
        }

        secrets = [.. options.Secrets.Select((s, i) => WebhookSecret.TryParse(s, out var secret, out var error)
            ? secret
            : throw new ArgumentException($"Webhook secret #{i + 1}: {error}", nameof(options)))];
        tolerance = options.Tolerance;
        maxBodyBytes = options.MaxBodyBytes;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Verifies one delivery from its three header values and its raw body.</summary>
    public WebhookVerification Verify(string? messageId, string? timestamp, string? signature, ReadOnlyMemory<byte> body)
    {
        if (string.IsNullOrWhiteSpace(messageId) || string.IsNullOrWhiteSpace(timestamp) || string.IsNullOrWhiteSpace(signature))
        {
            return new WebhookVerification(WebhookVerificationStatus.MissingHeaders, messageId, null, body);
        }

        if (body.Length > maxBodyBytes)
        {
            return new WebhookVerification(WebhookVerificationStatus.BodyTooLarge, messageId, null, ReadOnlyMemory<byte>.Empty);
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return new WebhookVerification(WebhookVerificationStatus.MalformedTimestamp, messageId, null, body);
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((timeProvider.GetUtcNow() - sentAt).Duration() > tolerance)
        {
            return new WebhookVerification(WebhookVerificationStatus.TimestampOutOfTolerance, messageId, sentAt, body);
        }

        var offered = WebhookSignature.ParseV1(signature).ToList();
        var matched = false;
        foreach (var secret in secrets)
        {
            var expected = WebhookSignature.Compute(secret.Key, messageId, seconds, body.Span);
            foreach (var candidate in offered)
            {
                // Every pair is compared, match or not, so timing reveals nothing about which one matched.
                matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
            }
        }

        return new WebhookVerification(matched ? WebhookVerificationStatus.Valid : WebhookVerificationStatus.InvalidSignature, messageId, sentAt, body);
    }

    /// <summary>Reads the request's body (up to the configured limit) and verifies it with the request's headers.</summary>
    public async Task<WebhookVerification> VerifyAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.Headers[StandardWebhookHeaders.Id].ToString();
        if (request.ContentLength > maxBodyBytes)
        {
            return new WebhookVerification(WebhookVerificationStatus.BodyTooLarge, id, null, ReadOnlyMemory<byte>.Empty);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes)
            {
                return new WebhookVerification(WebhookVerificationStatus.BodyTooLarge, id, null, ReadOnlyMemory<byte>.Empty);
            }

            buffer.Write(chunk, 0, read);
        }

        return Verify(
            id,
            request.Headers[StandardWebhookHeaders.Timestamp].ToString(),
            request.Headers[StandardWebhookHeaders.Signature].ToString(),
            buffer.ToArray());
    }
}
