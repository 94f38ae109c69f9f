using ConnectorKit.Grpc;
using Google.Protobuf;
using Grpc.Testing;

namespace ConnectorKit.Grpc.InteropServer;

/// <summary>grpc.testing.TestService as the gRPC interop test descriptions define it.</summary>
public sealed class TestServiceImpl : TestService.TestServiceBase
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public override Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        if (request.ResponseCompressed?.Value == true)
        {
            context.ResponseCompression = "gzip";
        }

        await EchoMetadataAsync(context).ConfigureAwait(false);
        CheckCompression(request.ExpectCompressed, context);
        ThrowIfStatusRequested(request.ResponseStatus);

        return new SimpleResponse { Payload = CreatePayload(request.ResponseSize) };
    }

    public override Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context) => UnaryCall(request, context);

    public override async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        context.ResponseCompression = "gzip";
        await EchoMetadataAsync(context).ConfigureAwait(false);
        foreach (var parameters in request.ResponseParameters)
        {
            await WriteResponseAsync(parameters, responseStream, context).ConfigureAwait(false);
        }

        ThrowIfStatusRequested(request.ResponseStatus);
    }

    public override async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requestStream, ServerCallContext context)
    {
        var total = 0;
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            CheckCompression(request.ExpectCompressed, context);
            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public override async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        context.ResponseCompression = "gzip";
        await EchoMetadataAsync(context).ConfigureAwait(false);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            ThrowIfStatusRequested(request.ResponseStatus);
            foreach (var parameters in request.ResponseParameters)
            {
                await WriteResponseAsync(parameters, responseStream, context).ConfigureAwait(false);
            }
        }
    }

    public override async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requestStream, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        context.ResponseCompression = "gzip";
        var requests = new List<StreamingOutputCallRequest>();
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            requests.Add(requestStream.Current);
        }

        foreach (var request in requests)
        {
            foreach (var parameters in request.ResponseParameters)
            {
                await WriteResponseAsync(parameters, responseStream, context).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteResponseAsync(ResponseParameters parameters, IServerStreamWriter<StreamingOutputCallResponse> responseStream, ServerCallContext context)
    {
        if (parameters.IntervalUs > 0)
        {
            await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken).ConfigureAwait(false);
        }

        // Streaming calls announce gzip up front (when the client accepts it); each message opts out unless asked.
        responseStream.WriteOptions = parameters.Compressed?.Value == true ? null : new WriteOptions(WriteFlags.NoCompress);

        await responseStream.WriteAsync(new StreamingOutputCallResponse { Payload = CreatePayload(parameters.Size) }).ConfigureAwait(false);
    }

    private static Payload CreatePayload(int size) => new() { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[size]) };

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var initial = context.RequestHeaders.Get(EchoInitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial.Value } }).ConfigureAwait(false);
        }

        var trailing = context.RequestHeaders.Get(EchoTrailingKey);
        if (trailing is not null)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing.ValueBytes);
        }
    }

    private static void CheckCompression(BoolValue? expectCompressed, ServerCallContext context)
    {
        var compressed = context.GetRequestMessageInfo()?.LastMessageCompressed == true;
        if (expectCompressed?.Value == true && !compressed)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
        }
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is not null && status.Code != 0)
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }
}
