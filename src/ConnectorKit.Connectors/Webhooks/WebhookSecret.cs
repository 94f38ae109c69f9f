namespace ConnectorKit.Connectors.Webhooks;

/// <summary>
/// A Standard Webhooks signing secret, written <c>whsec_&lt;base64&gt;</c>. <see cref="ToString"/> never shows the key,
/// so the secret can sit in an object that gets logged.
/// </summary>
public sealed class WebhookSecret
{
    /// <summary>The prefix every secret carries in configuration.</summary>
    public const string Prefix = "whsec_";

    private const int MinKeyBytes = 16;

    private WebhookSecret(byte[] key) => Key = key;

    /// <summary>The raw HMAC key.</summary>
    internal byte[] Key { get; }

    /// <summary>Reads <c>whsec_&lt;base64&gt;</c> holding at least 16 key bytes.</summary>
    /// <exception cref="FormatException">The text is not such a secret; the message never repeats it.</exception>
    public static WebhookSecret Parse(string text)
        => TryParse(text, out var secret, out var error) ? secret : throw new FormatException(error);

    /// <summary>As <see cref="Parse"/>, returning false and a reason (without the secret) instead of throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebhookSecret? secret, out string error)
    {
        secret = null;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"A webhook secret must start with '{Prefix}' followed by base64.";
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text[Prefix.Length..]);
        }
        catch (FormatException)
        {
            error = $"The part of the webhook secret after '{Prefix}' is not valid base64.";
            return false;
        }

        if (key.Length < MinKeyBytes)
        {
            error = $"A webhook secret must hold at least {MinKeyBytes} bytes of key; this one holds {key.Length}.";
            return false;
        }

        secret = new WebhookSecret(key);
        error = string.Empty;
        return true;
    }

    /// <summary>A new random secret of 32 bytes, e.g. to hand to a bank.</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public override string ToString() => Prefix + "****";
}
