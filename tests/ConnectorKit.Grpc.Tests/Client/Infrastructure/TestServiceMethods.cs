using Grpc.Testing;

namespace ConnectorKit.Grpc.Tests.Client.Infrastructure;

/// <summary>The grpc.testing methods, declared by hand for the client tests (the stub generator lives elsewhere).</summary>
internal static class TestServiceMethods
{
    public const string ServiceName = "grpc.testing.TestService";

    public static readonly Method<Empty, Empty> EmptyCall = Unary<Empty, Empty>("EmptyCall", Empty.Parser, Empty.Parser);

    public static readonly Method<SimpleRequest, SimpleResponse> UnaryCall = Unary<SimpleRequest, SimpleResponse>("UnaryCall", SimpleRequest.Parser, SimpleResponse.Parser);

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall =
        new(MethodType.ServerStreaming, ServiceName, "StreamingOutputCall", Marshallers.ForProtobuf(StreamingOutputCallRequest.Parser), Marshallers.ForProtobuf(StreamingOutputCallResponse.Parser));

    public static readonly Method<StreamingInputCallRequest, StreamingInputCallResponse> StreamingInputCall =
        new(MethodType.ClientStreaming, ServiceName, "StreamingInputCall", Marshallers.ForProtobuf(StreamingInputCallRequest.Parser), Marshallers.ForProtobuf(StreamingInputCallResponse.Parser));

    public static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall =
        new(MethodType.DuplexStreaming, ServiceName, "FullDuplexCall", Marshallers.ForProtobuf(StreamingOutputCallRequest.Parser), Marshallers.ForProtobuf(StreamingOutputCallResponse.Parser));

    public static readonly Method<Empty, Empty> UnimplementedCall = Unary<Empty, Empty>("UnimplementedCall", Empty.Parser, Empty.Parser);

    public static readonly Method<Empty, Empty> UnimplementedServiceCall =
        new(MethodType.Unary, "grpc.testing.UnimplementedService", "UnimplementedCall", Marshallers.ForProtobuf(Empty.Parser), Marshallers.ForProtobuf(Empty.Parser));

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, Google.Protobuf.MessageParser<TRequest> requestParser, Google.Protobuf.MessageParser<TResponse> responseParser)
        where TRequest : Google.Protobuf.IMessage<TRequest>, Google.Protobuf.IBufferMessage
        where TResponse : Google.Protobuf.IMessage<TResponse>, Google.Protobuf.IBufferMessage
        => new(MethodType.Unary, ServiceName, name, Marshallers.ForProtobuf(requestParser), Marshallers.ForProtobuf(responseParser));
}
