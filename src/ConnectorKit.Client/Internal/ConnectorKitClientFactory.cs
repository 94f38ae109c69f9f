using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Client.Internal;

internal sealed class ConnectorKitClientFactory(
    IOptions<ConnectorKitClientOptions> options,
    IBankTokenProvider tokens,
    TimeProvider timeProvider,
    IServiceProvider services) : IConnectorKitClientFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ConnectorKitBankClient>> _clients = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    public ConnectorKitBankClient For(string bankId)
    {
        ArgumentNullException.ThrowIfNull(bankId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var banks = options.Value.Banks;
        if (!banks.TryGetValue(bankId, out var bank))
        {
            throw new ArgumentException($"No bank '{bankId}' is configured; known banks: {string.Join(", ", banks.Keys.Order(StringComparer.Ordinal))}.", nameof(bankId));
        }

        return _clients.GetOrAdd(bankId, id => new Lazy<ConnectorKitBankClient>(
            () => new ConnectorKitBankClient(
                new BankConnection(id, bank, tokens, timeProvider, services.GetService<ILoggerFactory>()),
                services.GetService<IApplicationTracker>()),
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var client in _clients.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Connection.Dispose();
            }
        }
    }
}
