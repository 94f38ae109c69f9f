namespace ConnectorKit.Client;

/// <summary>
/// Supplies the bearer token for a call to a bank; asked before every call (and every attempt), so it may rotate tokens.
/// The default returns <see cref="BankConnectionOptions.BearerToken"/>. Register your own as a singleton to replace it.
/// </summary>
public interface IBankTokenProvider
{
    /// <summary>The token without the <c>Bearer </c> prefix, or null to send no authorization header.</summary>
    ValueTask<string?> GetTokenAsync(string bankId, CancellationToken cancellationToken);
}
