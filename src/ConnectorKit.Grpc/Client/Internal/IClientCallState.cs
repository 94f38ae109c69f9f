namespace ConnectorKit.Grpc.Internal;

/// <summary>
/// What the call objects ask of the channel's own calls. One reference to the call instead of a delegate per
/// member, so a call costs no delegate allocations.
/// </summary>
internal interface IClientCallState
{
    Task<Metadata> ResponseHeadersAsync { get; }

    Status GetStatus();

    Metadata GetTrailers();

    void Dispose();
}
