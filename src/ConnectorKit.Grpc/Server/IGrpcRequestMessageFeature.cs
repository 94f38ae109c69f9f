namespace ConnectorKit.Grpc;

/// <summary>
/// Facts about the request messages of a gRPC call, as an HTTP feature:
/// <c>context.GetHttpContext().Features.Get&lt;IGrpcRequestMessageFeature&gt;()</c>.
/// </summary>
public interface IGrpcRequestMessageFeature
{
    /// <summary>Whether the last request message read arrived compressed (its frame's flag was set).</summary>
    bool LastMessageCompressed { get; }

    /// <summary>Request messages read so far.</summary>
    int MessagesRead { get; }
}
