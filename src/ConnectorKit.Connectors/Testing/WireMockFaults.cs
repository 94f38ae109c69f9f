using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// <see cref="IBankFaults"/> on a WireMock: each fault is a priority stub on the bank endpoint of the operation, so it
/// wins over the bank's mappings until cleared. Remembers every stub it added, so a journal reader can tell requests
/// a fault answered from requests the bank's own mappings answered (<see cref="AnsweredByFault"/>).
/// </summary>
public sealed class WireMockFaults : IBankFaults
{
    private readonly ConcurrentDictionary<Guid, bool> _everAdded = new();
    private readonly ConcurrentBag<Guid> _active = [];
    private readonly WireMockServer _wireMock;
    private readonly IReadOnlyDictionary<BankOperation, WireMockEndpoint> _endpoints;

    /// <summary>Faults on endpoints told apart by method and path alone.</summary>
    public WireMockFaults(WireMockServer wireMock, IReadOnlyDictionary<BankOperation, (HttpMethod Method, string UrlPath)> endpoints)
        : this(wireMock, endpoints?.ToDictionary(e => e.Key, e => new WireMockEndpoint(e.Value.Method, e.Value.UrlPath))!)
    {
    }

    /// <summary>Faults on endpoints that may also need a body pattern, e.g. a gateway naming its method in the form.</summary>
    public WireMockFaults(WireMockServer wireMock, IReadOnlyDictionary<BankOperation, WireMockEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(wireMock);
        ArgumentNullException.ThrowIfNull(endpoints);
        _wireMock = wireMock;
        _endpoints = endpoints;
    }

    /// <summary>How long <see cref="BankFault.DelayBeyondDeadline"/> holds the answer back. <value>Default 20 s.</value></summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The <c>Retry-After</c> of the 429 and 503 faults, in seconds. <value>Default 30, longer than a connector waits.</value></summary>
    public int RetryAfterSeconds { get; init; } = 30;

    public async Task InjectAsync(BankOperation operation, BankFault fault, CancellationToken cancellationToken)
    {
        if (!_endpoints.TryGetValue(operation, out var endpoint))
        {
            throw new NotSupportedException($"This bank has no HTTP endpoint for {operation}.");
        }

        var id = await _wireMock.AddMappingAsync(Mapping(endpoint, Response(fault)), cancellationToken).ConfigureAwait(false);
        _everAdded[id] = true;
        _active.Add(id);
    }

    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        while (_active.TryTake(out var id))
        {
            await _wireMock.RemoveMappingAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when an injected fault, not the bank's own mappings, answered the request.</summary>
    public bool AnsweredByFault(WireMockRequest request) => request.StubId is { } id && _everAdded.ContainsKey(id);

    private JsonObject Response(BankFault fault) => fault switch
    {
        BankFault.DelayBeyondDeadline => new JsonObject { ["status"] = 200, ["fixedDelayMilliseconds"] = (long)Delay.TotalMilliseconds },
        BankFault.TooManyRequests => Status(429),
        BankFault.ServiceUnavailable => Status(503),
        BankFault.ConnectionReset => new JsonObject { ["fault"] = "CONNECTION_RESET_BY_PEER" },
        BankFault.EmptyResponse => new JsonObject { ["fault"] = "EMPTY_RESPONSE" },
        BankFault.MalformedChunk => new JsonObject { ["fault"] = "MALFORMED_RESPONSE_CHUNK" },
        BankFault.RandomDataThenClose => new JsonObject { ["fault"] = "RANDOM_DATA_THEN_CLOSE" },
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    private JsonObject Status(int status) => new()
    {
        ["status"] = status,
        ["headers"] = new JsonObject { ["Retry-After"] = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture) },
    };

    private static string Mapping(WireMockEndpoint endpoint, JsonObject response)
    {
        var request = new JsonObject { ["method"] = endpoint.Method.Method, ["urlPath"] = endpoint.UrlPath };
        if (endpoint.BodyMatches is { } pattern)
        {
            request["bodyPatterns"] = new JsonArray(new JsonObject { ["matches"] = pattern });
        }

        // Priority 1 beats the default of mappings loaded from a folder, so a fault wins over the happy path.
        return new JsonObject { ["priority"] = 1, ["request"] = request, ["response"] = response }.ToJsonString();
    }
}
