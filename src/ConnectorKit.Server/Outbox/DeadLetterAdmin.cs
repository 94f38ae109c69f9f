using ConnectorKit.Server.Storage;

namespace ConnectorKit.Server.Outbox;

/// <summary>
/// For a bank's operators: the callbacks the platform refused, and sending one again after the cause is fixed.
/// A redriven message goes back to the head of its application's queue, and the events it held follow it.
/// </summary>
public sealed class DeadLetterAdmin
{
    private readonly IOutboxStore _store;
    private readonly OutboxDispatcher? _dispatcher;
    private readonly TimeProvider _time;

    /// <param name="dispatcher">Woken after a redrive so delivery starts at once; null waits for its next poll.</param>
    public DeadLetterAdmin(IOutboxStore store, OutboxDispatcher? dispatcher = null, TimeProvider? timeProvider = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _dispatcher = dispatcher;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The oldest dead letters first, with the status the platform gave as the reason.</summary>
    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max = 100, CancellationToken cancellationToken = default) =>
        _store.ListDeadLettersAsync(max, cancellationToken);

    /// <summary>Moves a dead letter back into the outbox, due now, with its attempt count reset. False when it does not exist.</summary>
    public async Task<bool> RedriveAsync(long deadLetterId, CancellationToken cancellationToken = default)
    {
        var redriven = await _store.RedriveAsync(deadLetterId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (redriven)
        {
            _dispatcher?.Nudge();
        }

        return redriven;
    }

    /// <summary>Outbox depth, retries under way and dead letters.</summary>
    public Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken = default) => _store.GetOutboxStatsAsync(cancellationToken);
}
