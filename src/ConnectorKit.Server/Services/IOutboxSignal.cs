namespace ConnectorKit.Server.Services;

/// <summary>Wakes the outbox dispatcher when a transaction has queued a callback, so it need not wait for its next poll.</summary>
internal interface IOutboxSignal
{
    void Nudge();
}
