using System.Globalization;
using ConnectorKit.Connectors.Webhooks.Internal;

namespace ConnectorKit.Connectors.Webhooks;

/// <summary>
/// Signs deliveries per Standard Webhooks 1.0, for a bank (or a test standing in for one) that sends webhooks.
/// With several secrets each delivery carries one signature per secret, so receivers can rotate keys.
/// </summary>
public sealed class StandardWebhookSigner
{
    private readonly WebhookSecret[] secrets;

    /// <exception cref="FormatException">A secret is not <c>whsec_&lt;base64&gt;</c>.</exception>
    public StandardWebhookSigner(params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Length == 0)
        {
            throw new ArgumentException("At least one secret is required.", nameof(secrets));
        }

        this.secrets = [.. secrets.Select(WebhookSecret.Parse)];
    }

    /// <summary>The <c>webhook-signature</c> value: one <c>v1,&lt;base64&gt;</c> per secret, space-separated.</summary>
    public string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var seconds = timestamp.ToUnixTimeSeconds();
        var parts = new string[secrets.Length];
        for (var i = 0; i < secrets.Length; i++)
        {
            parts[i] = WebhookSignature.Version + "," + Convert.ToBase64String(WebhookSignature.Compute(secrets[i].Key, messageId, seconds, body));
        }

        return string.Join(' ', parts);
    }

    /// <summary>All three headers for one delivery.</summary>
    public IReadOnlyDictionary<string, string> CreateHeaders(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body) => new Dictionary<string, string>
    {
        [StandardWebhookHeaders.Id] = messageId,
        [StandardWebhookHeaders.Timestamp] = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        [StandardWebhookHeaders.Signature] = Sign(messageId, timestamp, body),
    };
}
