namespace ConnectorKit.Connectors.Webhooks;

/// <summary>How deliveries are verified.</summary>
public sealed class StandardWebhookOptions
{
    /// <summary>
    /// Secrets (<c>whsec_&lt;base64&gt;</c>) any of which may have signed a delivery; list the new one next to the old
    /// one while the sender rotates keys. At least one.
    /// </summary>
    public IList<string> Secrets { get; set; } = [];

    /// <summary>Largest allowed distance between the sender's timestamp and now, either way.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest body read; a larger one is refused unread.</summary>
    /// <value>1 MiB.</value>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}
