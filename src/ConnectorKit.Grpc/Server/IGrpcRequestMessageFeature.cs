namespace ConnectorKit.Grpc;

/// <summary>Facts about the request messages of a server call: <c>context.GetRequestMessageInfo()</c>.</summary>
public interface IGrpcRequestMessageFeature
{
    /// <summary>Whether the last request message read arrived compressed (its frame's flag was set).</summary>
    bool LastMessageCompressed { get; }

    /// <summary>Request messages read so far.</summary>
    int MessagesRead { get; }
}

/// <summary>Reads <see cref="IGrpcRequestMessageFeature"/> from a server call.</summary>
public static class ServerCallContextMessageExtensions
{
    /// <summary>The call's request-message facts, or null for a context that is not a ConnectorKit server call (e.g. a test double).</summary>
    public static IGrpcRequestMessageFeature? GetRequestMessageInfo(this ServerCallContext context) => context as IGrpcRequestMessageFeature;
}
