using System.Collections.Concurrent;

namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// <see cref="IBankFaults"/> on a WireMock: each fault is a priority stub on the bank endpoint of the operation, so it
/// wins over the bank's mappings until cleared. Remembers every stub it added, so a journal reader can tell requests
/// a fault answered from requests the bank's own mappings answered (<see cref="AnsweredByFault"/>).
/// </summary>
public sealed class WireMockFaults(WireMockServer wireMock, IReadOnlyDictionary<BankOperation, (HttpMethod Method, string UrlPath)> endpoints) : IBankFaults
{
    private readonly ConcurrentDictionary<Guid, bool> _everAdded = new();
    private readonly ConcurrentBag<Guid> _active = [];

    /// <summary>How long <see cref="BankFault.DelayBeyondDeadline"/> holds the answer back. <value>Default 20 s.</value></summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The <c>Retry-After</c> of the 429 and 503 faults, in seconds. <value>Default 30, longer than a connector waits.</value></summary>
    public int RetryAfterSeconds { get; init; } = 30;

    public async Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken)
    {
        if (!endpoints.TryGetValue(operation, out var endpoint))
        {
            throw new NotSupportedException($"This bank has no HTTP endpoint for {operation}.");
        }

        var id = fault switch
        {
            BankFault.DelayBeyondDeadline => await wireMock.StubDelayAsync(endpoint.Method, endpoint.UrlPath, Delay, cancellationToken).ConfigureAwait(false),
            BankFault.TooManyRequests => await wireMock.StubStatusAsync(endpoint.Method, endpoint.UrlPath, 429, RetryAfterSeconds, ct: cancellationToken).ConfigureAwait(false),
            BankFault.ServiceUnavailable => await wireMock.StubStatusAsync(endpoint.Method, endpoint.UrlPath, 503, RetryAfterSeconds, ct: cancellationToken).ConfigureAwait(false),
            BankFault.ConnectionReset => await wireMock.StubFaultAsync(endpoint.Method, endpoint.UrlPath, WireMockFault.ConnectionResetByPeer, cancellationToken).ConfigureAwait(false),
            BankFault.EmptyResponse => await wireMock.StubFaultAsync(endpoint.Method, endpoint.UrlPath, WireMockFault.EmptyResponse, cancellationToken).ConfigureAwait(false),
            BankFault.MalformedChunk => await wireMock.StubFaultAsync(endpoint.Method, endpoint.UrlPath, WireMockFault.MalformedResponseChunk, cancellationToken).ConfigureAwait(false),
            BankFault.RandomDataThenClose => await wireMock.StubFaultAsync(endpoint.Method, endpoint.UrlPath, WireMockFault.RandomDataThenClose, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
        _everAdded[id] = true;
        _active.Add(id);
    }

    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        while (_active.TryTake(out var id))
        {
            await wireMock.RemoveMappingAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when an injected fault, not the bank's own mappings, answered the request.</summary>
    public bool AnsweredByFault(WireMockRequest request) => request.StubId is { } id && _everAdded.ContainsKey(id);
}
