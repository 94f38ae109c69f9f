namespace ConnectorKit.Connectors.Testing;

/// <summary>WireMock's built-in network faults, as a client of the stubbed endpoint sees them.</summary>
public enum WireMockFault
{
    /// <summary>The connection is closed with a TCP reset (CONNECTION_RESET_BY_PEER).</summary>
    ConnectionResetByPeer,

    /// <summary>The connection is closed before any response byte (EMPTY_RESPONSE).</summary>
    EmptyResponse,

    /// <summary>A 200 with chunked encoding whose body is a broken chunk (MALFORMED_RESPONSE_CHUNK).</summary>
    MalformedResponseChunk,

    /// <summary>Garbage instead of an HTTP response, then close (RANDOM_DATA_THEN_CLOSE).</summary>
    RandomDataThenClose,
}
