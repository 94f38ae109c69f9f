namespace ConnectorKit.Client;

/// <summary>Hands out the client of each configured bank. Registered as a singleton by <c>AddConnectorKitClient</c>.</summary>
public interface IConnectorKitClientFactory
{
    /// <summary>The client of <paramref name="bankId"/>; its channel is opened on first use and shared.</summary>
    /// <exception cref="ArgumentException">The bank is not configured; the message names the configured ones.</exception>
    ConnectorKitBankClient For(string bankId);
}
