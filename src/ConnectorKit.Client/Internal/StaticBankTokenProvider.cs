using Microsoft.Extensions.Options;

namespace ConnectorKit.Client.Internal;

internal sealed class StaticBankTokenProvider(IOptions<ConnectorKitClientOptions> options) : IBankTokenProvider
{
    public ValueTask<string?> GetTokenAsync(string bankId, CancellationToken cancellationToken)
        => ValueTask.FromResult(options.Value.Banks.TryGetValue(bankId, out var bank) ? bank.BearerToken : null);
}
