namespace ConnectorKit.Connectors.Webhooks;

/// <summary>The three headers a Standard Webhooks 1.0 sender sets on every delivery.</summary>
public static class StandardWebhookHeaders
{
    /// <summary>The message id; the same on every redelivery of one message, so it is the deduplication key.</summary>
    public const string Id = "webhook-id";

    /// <summary>Seconds since the Unix epoch when the message was sent.</summary>
    public const string Timestamp = "webhook-timestamp";

    /// <summary>Space-separated <c>v1,&lt;base64&gt;</c> entries; one per signing secret while a key is being rotated.</summary>
    public const string Signature = "webhook-signature";
}
