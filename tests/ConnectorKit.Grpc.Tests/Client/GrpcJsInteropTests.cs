using ConnectorKit.Grpc.Tests.Client.Infrastructure;
using Google.Protobuf;
using Grpc.Testing;

namespace ConnectorKit.Grpc.Tests.Client;

/// <summary>The client against a real, independent peer: grpc-js serving grpc.testing.TestService.</summary>
public sealed class GrpcJsInteropTests(GrpcJsServerFixture server) : IClassFixture<GrpcJsServerFixture>
{
    private const string SpecialMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
    private const string ChineseMessage = "统一社会信用代码校验位错误：91350100M0001TGQXM";
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    private static readonly int[] RequestSizes = [27182, 8, 1828, 45904];
    private static readonly int[] ResponseSizes = [31415, 9, 2653, 58979];

    [Fact]
    public async Task UnaryCall_EmptyMessage_ReturnsEmptyMessageWithOk()
    {
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();

        using var call = invoker.AsyncUnaryCall(TestServiceMethods.EmptyCall, null, new CallOptions(), new Empty());
        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(new Empty(), response);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task UnaryCall_LargeRequestAndResponse_RoundTripsBothPayloads()
    {
        using var channel = server.CreateChannel();
        var request = new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) };

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request).ResponseAsync.WithTimeout();

        Assert.Equal(314159, response.Payload.Body.Length);
        Assert.All(response.Payload.Body, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task ClientStreaming_FourMessages_ReturnsAggregatedPayloadSize()
    {
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestServiceMethods.StreamingInputCall, null, new CallOptions());
        foreach (var size in RequestSizes)
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) }).WithTimeout();
        }

        await call.RequestStream.CompleteAsync().WithTimeout();
        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(74922, response.AggregatedPayloadSize);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_FourResponseSizes_ReceivesEachInOrderThenOk()
    {
        using var channel = server.CreateChannel();
        var request = new StreamingOutputCallRequest();
        foreach (var size in ResponseSizes)
        {
            request.ResponseParameters.Add(new ResponseParameters { Size = size });
        }

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestServiceMethods.StreamingOutputCall, null, new CallOptions(), request);
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout())
        {
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        Assert.Equal(ResponseSizes, sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_PingPong_AnswersEachRequestBeforeTheNextIsSent()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions());
        var received = new List<int>();

        for (var i = 0; i < RequestSizes.Length; i++)
        {
            var request = new StreamingOutputCallRequest { Payload = Zeros(RequestSizes[i]) };
            request.ResponseParameters.Add(new ResponseParameters { Size = ResponseSizes[i] });
            await call.RequestStream.WriteAsync(request).WithTimeout();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
            received.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        await call.RequestStream.CompleteAsync().WithTimeout();
        var more = await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout();

        Assert.Equal(ResponseSizes, received);
        Assert.False(more);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_NoMessagesEitherWay_EndsWithOk()
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions());

        await call.RequestStream.CompleteAsync().WithTimeout();
        var any = await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout();

        Assert.False(any);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [InlineData(StatusCode.Unknown, "test status message")]
    [InlineData(StatusCode.Unknown, SpecialMessage)]
    [InlineData(StatusCode.InvalidArgument, ChineseMessage)]
    public async Task UnaryCall_EchoedStatus_ThrowsWithExactCodeAndMessage(StatusCode code, string message)
    {
        using var channel = server.CreateChannel();
        var request = new SimpleRequest { ResponseStatus = new EchoStatus { Code = (int)code, Message = message } };

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(code, exception.StatusCode);
        Assert.Equal(message, exception.Status.Detail);
        Assert.Equal(exception.Status, call.GetStatus());
    }

    [Theory]
    [InlineData(StatusCode.Unknown, "test status message")]
    [InlineData(StatusCode.Unknown, SpecialMessage)]
    [InlineData(StatusCode.InvalidArgument, ChineseMessage)]
    public async Task DuplexStreaming_EchoedStatus_ThrowsWithExactCodeAndMessage(StatusCode code, string message)
    {
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions());

        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = new EchoStatus { Code = (int)code, Message = message } }).WithTimeout();
        await call.RequestStream.CompleteAsync().WithTimeout();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(code, exception.StatusCode);
        Assert.Equal(message, exception.Status.Detail);
    }

    [Fact]
    public async Task UnaryCall_EchoMetadata_ReturnsInitialInHeadersAndBinaryInTrailers()
    {
        using var channel = server.CreateChannel();
        var headers = new Metadata
        {
            { EchoInitialKey, "test_initial_metadata_value" },
            { EchoTrailingKey, new byte[] { 0xab, 0xab, 0xab } },
        };
        var request = new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) };

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(headers), request);
        var responseHeaders = await call.ResponseHeadersAsync.WithTimeout();
        await call.ResponseAsync.WithTimeout();

        Assert.Equal("test_initial_metadata_value", responseHeaders.GetValue(EchoInitialKey));
        Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, call.GetTrailers().GetValueBytes(EchoTrailingKey));
        Assert.DoesNotContain(responseHeaders, e => e.Key.StartsWith("grpc-", StringComparison.Ordinal) || e.Key == "content-type");
    }

    [Theory]
    [InlineData(new byte[] { 0xab })]
    [InlineData(new byte[] { 0xab, 0xcd })]
    [InlineData(new byte[] { 0xab, 0xcd, 0xef })]
    [InlineData(new byte[] { 0x00, 0xff, 0x10, 0x80 })]
    public async Task UnaryCall_BinaryMetadataOfAnyPadding_RoundTripsBytes(byte[] value)
    {
        // The client sends base64 without padding; grpc-js answers with padding: both directions are exercised.
        using var channel = server.CreateChannel();
        var headers = new Metadata { { EchoTrailingKey, value } };

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.EmptyCall, null, new CallOptions(headers), new Empty());
        await call.ResponseAsync.WithTimeout();

        Assert.Equal(value, call.GetTrailers().GetValueBytes(EchoTrailingKey));
    }

    [Fact]
    public async Task DuplexStreaming_EchoMetadata_ReturnsInitialInHeadersAndBinaryInTrailers()
    {
        using var channel = server.CreateChannel();
        var headers = new Metadata
        {
            { EchoInitialKey, "test_initial_metadata_value" },
            { EchoTrailingKey, new byte[] { 0xab, 0xab, 0xab } },
        };

        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions(headers));
        var request = new StreamingOutputCallRequest { Payload = Zeros(271828) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 314159 });
        await call.RequestStream.WriteAsync(request).WithTimeout();
        await call.RequestStream.CompleteAsync().WithTimeout();
        var responseHeaders = await call.ResponseHeadersAsync.WithTimeout();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal("test_initial_metadata_value", responseHeaders.GetValue(EchoInitialKey));
        Assert.Equal(new byte[] { 0xab, 0xab, 0xab }, call.GetTrailers().GetValueBytes(EchoTrailingKey));
    }

    [Fact]
    public async Task UnaryCall_UnimplementedMethod_ThrowsUnimplemented()
    {
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnimplementedCall, null, new CallOptions(), new Empty());
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_UnimplementedService_ThrowsUnimplemented()
    {
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnimplementedServiceCall, null, new CallOptions(), new Empty());
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, exception.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_CancelledAfterBegin_ThrowsCancelled()
    {
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestServiceMethods.StreamingInputCall, null, new CallOptions(cancellationToken: cts.Token));

        await cts.CancelAsync().WithTimeout();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Cancelled, exception.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new StreamingInputCallRequest()).WithTimeout());
        Assert.Equal(StatusCode.Cancelled, write.StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_CancelledAfterFirstResponse_ThrowsCancelled()
    {
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions(cancellationToken: cts.Token));
        var request = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415 });
        await call.RequestStream.WriteAsync(request).WithTimeout();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        await cts.CancelAsync().WithTimeout();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(StatusCode.Cancelled, exception.StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_DeadlineOnSleepingServer_ThrowsDeadlineExceeded()
    {
        using var channel = server.CreateChannel();
        var deadline = DateTime.UtcNow.AddMilliseconds(300);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(TestServiceMethods.FullDuplexCall, null, new CallOptions(deadline: deadline));
        var request = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415, IntervalUs = 10_000_000 });

        try
        {
            await call.RequestStream.WriteAsync(request).WithTimeout();
        }
        catch (RpcException)
        {
            // The deadline may already have ended the call; the read below reports it either way.
        }

        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, exception.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task UnaryCall_UncompressedRequestToServerExpectingCompression_ThrowsInvalidArgument()
    {
        // The probe that makes the gzip test below meaningful: the server really checks the flag byte.
        using var channel = server.CreateChannel();
        var request = new SimpleRequest { ExpectCompressed = new BoolValue { Value = true }, ResponseSize = 314159, Payload = Zeros(271828) };

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_GzipRequestCompression_ServerReceivesCompressedMessage()
    {
        using var channel = server.CreateChannel(o => o.RequestCompression = "gzip");
        var request = new SimpleRequest { ExpectCompressed = new BoolValue { Value = true }, ResponseSize = 314159, Payload = Zeros(271828) };

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request).ResponseAsync.WithTimeout();

        Assert.Equal(314159, response.Payload.Body.Length);
    }

    [Fact]
    public async Task ClientStreaming_GzipMessageThenNoCompressMessage_ServerAggregatesBoth()
    {
        using var channel = server.CreateChannel(o => o.RequestCompression = "gzip");
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestServiceMethods.StreamingInputCall, null, new CallOptions());

        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new BoolValue { Value = true }, Payload = Zeros(27182) }).WithTimeout();
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new BoolValue { Value = false }, Payload = Zeros(45904) }).WithTimeout();
        await call.RequestStream.CompleteAsync().WithTimeout();
        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(73086, response.AggregatedPayloadSize);
    }

    [Fact]
    public async Task UnaryCall_GzipCompressedResponse_DecompressesPayload()
    {
        using var channel = server.CreateChannel();
        var request = new SimpleRequest { ResponseCompressed = new BoolValue { Value = true }, ResponseSize = 314159, Payload = Zeros(271828) };

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request).ResponseAsync.WithTimeout();

        Assert.Equal(314159, response.Payload.Body.Length);
    }

    [Fact]
    public async Task ServerStreaming_CompressedAndPlainResponses_ReceivesBothIntact()
    {
        using var channel = server.CreateChannel();
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } });
        request.ResponseParameters.Add(new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } });

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestServiceMethods.StreamingOutputCall, null, new CallOptions(), request);
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout())
        {
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        Assert.Equal([31415, 92653], sizes);
    }

    [Fact]
    public async Task UnaryCall_ResponseOverMaxReceiveMessageSize_ThrowsResourceExhausted()
    {
        using var channel = server.CreateChannel(o => o.MaxReceiveMessageSize = 64 * 1024);
        var request = new SimpleRequest { ResponseSize = 314159 };

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_RequestOverMaxSendMessageSize_ThrowsResourceExhausted()
    {
        using var channel = server.CreateChannel(o => o.MaxSendMessageSize = 64 * 1024);
        var request = new SimpleRequest { ResponseSize = 1, Payload = Zeros(271828) };

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, exception.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_MessageOverMaxSendMessageSize_WriteThrowsResourceExhausted()
    {
        using var channel = server.CreateChannel(o => o.MaxSendMessageSize = 32 * 1024);
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(TestServiceMethods.StreamingInputCall, null, new CallOptions());
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(27182) }).WithTimeout();

        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(45904) }).WithTimeout());
        var response = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, write.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, response.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_RequestOverServerReceiveLimit_ThrowsResourceExhausted()
    {
        using var channel = server.CreateChannel();
        var request = new SimpleRequest { ResponseSize = 1, Payload = Zeros(5 * 1024 * 1024) };

        var call = channel.CreateCallInvoker().AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), request);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, exception.StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_BeforeTheEnd_StatusAndTrailersThrowAndHeadersArrive()
    {
        using var channel = server.CreateChannel();
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 10 });
        request.ResponseParameters.Add(new ResponseParameters { Size = 20, IntervalUs = 200_000 });
        var headers = new Metadata { { EchoInitialKey, "streaming" } };

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(TestServiceMethods.StreamingOutputCall, null, new CallOptions(headers), request);
        var responseHeaders = await call.ResponseHeadersAsync.WithTimeout();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal("streaming", responseHeaders.GetValue(EchoInitialKey));
        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task UnaryCall_ManyConcurrentCalls_AllSucceedOnOneChannel()
    {
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();

        var calls = Enumerable.Range(0, 200).Select(i => invoker.AsyncUnaryCall(TestServiceMethods.UnaryCall, null, new CallOptions(), new SimpleRequest { ResponseSize = i, Payload = Zeros(i) }).ResponseAsync);
        var responses = await Task.WhenAll(calls).WithTimeout();

        Assert.Equal(Enumerable.Range(0, 200), responses.Select(r => r.Payload.Body.Length));
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}
