using System.Buffers.Binary;
using ConnectorKit.Grpc.Tests.Client.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Tests.Client;

/// <summary>
/// The client against a bare Kestrel HTTP/2 endpoint that answers with hand-made bytes: responses a
/// conforming gRPC server would not produce, and what the server sees of the client's requests.
/// </summary>
public sealed class GrpcCallProtocolTests(RawHttp2ServerFixture server) : IClassFixture<RawHttp2ServerFixture>
{
    private static readonly byte[] Hello = "hello"u8.ToArray();

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(431, StatusCode.Internal)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    public async Task UnaryCall_HttpErrorWithoutGrpcStatus_ThrowsMappedCodeNamingTheHttpStatus(int httpStatus, StatusCode expected)
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            context.Response.StatusCode = httpStatus;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("upstream trouble");
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(expected, exception.StatusCode);
        Assert.Contains(httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryCall_Http200WithNonGrpcContentType_ThrowsUnknown()
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html>login</html>");
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unknown, exception.StatusCode);
        Assert.Contains("text/html", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryCall_Http503WithGrpcStatus_UsesTheGrpcStatus()
    {
        var method = server.Map(MethodType.Unary, context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers["grpc-status"] = "9";
            context.Response.Headers["grpc-message"] = "not yet";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        Assert.Equal("not yet", exception.Status.Detail);
    }

    [Fact]
    public async Task UnaryCall_TrailersOnly_ThrowsStatusFromHeadersWhichAlsoServeAsHeadersAndTrailers()
    {
        var method = server.Map(MethodType.Unary, context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "7";
            context.Response.Headers["grpc-message"] = "caf%C3%A9 is closed 100%25";
            context.Response.Headers["x-reason"] = "closed";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        var headers = await call.ResponseHeadersAsync.WithTimeout();

        Assert.Equal(StatusCode.PermissionDenied, exception.StatusCode);
        Assert.Equal("café is closed 100%", exception.Status.Detail);
        Assert.Equal("closed", headers.GetValue("x-reason"));
        Assert.Equal("closed", call.GetTrailers().GetValue("x-reason"));
    }

    [Fact]
    public async Task UnaryCall_TrailersOnlyOkWithoutMessage_ThrowsInternal()
    {
        var method = server.Map(MethodType.Unary, context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "0";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_TrailersOnlyOk_EndsWithoutMessages()
    {
        var method = server.Map(MethodType.ServerStreaming, context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "0";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(), Hello);
        var any = await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout();

        Assert.False(any);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task UnaryCall_StatusDetailsBinInTrailers_DecodesRichStatus()
    {
        var rich = new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = "bad input" };
        rich.Details.Add(Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "amount", Description = "must be positive" } } }));
        var method = server.Map(MethodType.Unary, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context);
            context.Response.AppendTrailer("grpc-status", "3");
            context.Response.AppendTrailer("grpc-message", "bad input");
            context.Response.AppendTrailer("grpc-status-details-bin", Convert.ToBase64String(rich.ToByteArray()).TrimEnd('='));
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(rich, exception.RichStatus);
        Assert.Equal("amount", exception.GetDetail<BadRequest>()?.FieldViolations[0].Field);
    }

    [Theory]
    [InlineData("qw", new byte[] { 0xab })]
    [InlineData("qw==", new byte[] { 0xab })]
    [InlineData("q80", new byte[] { 0xab, 0xcd })]
    [InlineData("q80=", new byte[] { 0xab, 0xcd })]
    [InlineData("q83v", new byte[] { 0xab, 0xcd, 0xef })]
    public async Task UnaryCall_BinaryTrailerPaddedOrNot_DecodesBytes(string wireValue, byte[] expected)
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("x-data-bin", wireValue);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        await call.ResponseAsync.WithTimeout();

        Assert.Equal(expected, call.GetTrailers().GetValueBytes("x-data-bin"));
    }

    [Fact]
    public async Task UnaryCall_BodyEndsWithoutGrpcStatus_ThrowsInternal()
    {
        var method = server.Map(MethodType.Unary, context => RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello)));
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
        Assert.Contains("grpc-status", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryCall_TwoResponseMessages_ThrowsInternal()
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello), RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_TruncatedMessage_ThrowsInternal()
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello)[..7]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("br")]
    public async Task UnaryCall_CompressedFlagWithoutUsableEncoding_ThrowsInternal(string? encoding)
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            if (encoding is not null)
            {
                context.Response.Headers["grpc-encoding"] = encoding;
            }

            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello, compressed: true));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Internal, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_Request_CarriesProtocolHeadersMetadataAndOneFramedMessage()
    {
        var seen = new TaskCompletionSource<(string Protocol, IHeaderDictionary Headers, List<(bool Compressed, byte[] Payload)> Messages)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = server.Map(MethodType.Unary, async context =>
        {
            var messages = await RawHttp2ServerFixture.ReadMessagesAsync(context);
            seen.TrySetResult((context.Request.Protocol, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)), messages));
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();
        var metadata = new Metadata { { "x-text", "plain value" }, { "x-data-bin", new byte[] { 0xab } } };

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(metadata, DateTime.UtcNow.AddSeconds(30)), Hello);
        await call.ResponseAsync.WithTimeout();
        var (protocol, headers, messages) = await seen.Task.WithTimeout();

        Assert.Equal("HTTP/2", protocol);
        Assert.Equal("application/grpc", headers.ContentType.ToString());
        Assert.Equal("trailers", headers["te"].ToString());
        Assert.StartsWith("grpc-dotnet-connectorkit/", headers.UserAgent.ToString(), StringComparison.Ordinal);
        Assert.Equal("identity,gzip", headers["grpc-accept-encoding"].ToString());
        Assert.False(headers.ContainsKey("grpc-encoding"));
        Assert.Matches("^[0-9]{1,8}[HMSmun]$", headers["grpc-timeout"].ToString());
        Assert.Equal("plain value", headers["x-text"].ToString());
        Assert.Equal("qw", headers["x-data-bin"].ToString());
        var message = Assert.Single(messages);
        Assert.False(message.Compressed);
        Assert.Equal(Hello, message.Payload);
    }

    [Fact]
    public async Task ClientStreaming_GzipChannel_FlagsCompressedMessagesAndHonoursNoCompress()
    {
        var seen = new TaskCompletionSource<(string? Encoding, List<(bool Compressed, byte[] Payload)> Messages)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = server.Map(MethodType.ClientStreaming, async context =>
        {
            var messages = await RawHttp2ServerFixture.ReadMessagesAsync(context);
            seen.TrySetResult((context.Request.Headers["grpc-encoding"].ToString(), messages));
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel(o => o.RequestCompression = "gzip");
        var big = new byte[10_000];

        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, new CallOptions());
        await call.RequestStream.WriteAsync(big).WithTimeout();
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        await call.RequestStream.WriteAsync(big).WithTimeout();
        await call.RequestStream.CompleteAsync().WithTimeout();
        await call.ResponseAsync.WithTimeout();
        var (encoding, messages) = await seen.Task.WithTimeout();

        Assert.Equal("gzip", encoding);
        Assert.Equal(2, messages.Count);
        Assert.True(messages[0].Compressed);
        Assert.True(messages[0].Payload.Length < big.Length);
        Assert.False(messages[1].Compressed);
        Assert.Equal(big, messages[1].Payload);
    }

    [Fact]
    public async Task ClientStreaming_ServerNotReading_WriteWaitsForFlowControl()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = server.Map(MethodType.ClientStreaming, async context =>
        {
            await release.Task;
            var messages = await RawHttp2ServerFixture.ReadMessagesAsync(context);
            var count = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(count, messages.Count);
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(count));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, new CallOptions());
        var chunk = new byte[64 * 1024];
        Task? blocked = null;
        var written = 0;

        // HTTP/2 flow control stops the writes once the server's windows (under 2 MiB by default) are full.
        while (written < 100)
        {
            var write = call.RequestStream.WriteAsync(chunk);
            written++;
            if (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(1))) != write)
            {
                blocked = write;
                break;
            }

            await write.WithTimeout();
        }

        release.TrySetResult();
        if (blocked is not null)
        {
            await blocked.WithTimeout();
        }

        await call.RequestStream.CompleteAsync().WithTimeout();
        var response = await call.ResponseAsync.WithTimeout();

        Assert.NotNull(blocked);
        Assert.True(written < 100, $"all {written} writes of 64 KiB completed while the server read nothing");
        Assert.Equal(written, BinaryPrimitives.ReadInt32BigEndian(response));
    }

    [Fact]
    public async Task ClientStreaming_WriteAfterComplete_ThrowsInvalidOperation()
    {
        var method = server.Map(MethodType.ClientStreaming, async context =>
        {
            await RawHttp2ServerFixture.ReadMessagesAsync(context);
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = server.CreateChannel();
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, new CallOptions());
        await call.RequestStream.CompleteAsync().WithTimeout();

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(Hello).WithTimeout());
        Assert.Equal(Hello, await call.ResponseAsync.WithTimeout());
    }

    [Fact]
    public async Task UnaryCall_Disposed_CancelsAndResetsTheServerStream()
    {
        var (method, started, aborted) = MapHangingMethod(MethodType.Unary);
        using var channel = server.CreateChannel();
        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        await started.Task.WithTimeout();

        call.Dispose();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        await aborted.Task.WithTimeout();

        Assert.Equal(StatusCode.Cancelled, exception.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_TokenCancelledAfterHeaders_CancelsAndResetsTheServerStream()
    {
        var (method, started, aborted) = MapHangingMethod(MethodType.ServerStreaming, sendHeaders: true);
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(cancellationToken: cts.Token), Hello);
        await started.Task.WithTimeout();
        await call.ResponseHeadersAsync.WithTimeout();

        await cts.CancelAsync().WithTimeout();
        await aborted.Task.WithTimeout();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(StatusCode.Cancelled, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_ServerIgnoresDeadline_ClientEndsWithDeadlineExceededAndResetsStream()
    {
        var (method, started, aborted) = MapHangingMethod(MethodType.Unary);
        using var channel = server.CreateChannel();
        var began = DateTime.UtcNow;

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: began.AddMilliseconds(500)), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        await aborted.Task.WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, exception.StatusCode);
        Assert.True(DateTime.UtcNow - began < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ServerStreaming_DeadlinePassesWhileNobodyReads_EndsCallAndResetsStream()
    {
        var (method, started, aborted) = MapHangingMethod(MethodType.ServerStreaming, sendHeaders: true);
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(500)), Hello);
        await call.ResponseHeadersAsync.WithTimeout();
        await aborted.Task.WithTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_DeadlineAlreadyPassed_ThrowsDeadlineExceededWithoutSending()
    {
        var (method, started, _) = MapHangingMethod(MethodType.Unary);
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(-1)), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        await Task.Delay(200);

        Assert.Equal(StatusCode.DeadlineExceeded, exception.StatusCode);
        Assert.False(started.Task.IsCompleted);
    }

    [Fact]
    public async Task UnaryCall_RequestOverMaxSendMessageSize_ThrowsResourceExhaustedWithoutSending()
    {
        var (method, started, _) = MapHangingMethod(MethodType.Unary);
        using var channel = server.CreateChannel(o => o.MaxSendMessageSize = 4);

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello);
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        await Task.Delay(200);

        Assert.Equal(StatusCode.ResourceExhausted, exception.StatusCode);
        Assert.False(started.Task.IsCompleted);
    }

    [Theory]
    [InlineData(0x8, StatusCode.Cancelled)]
    [InlineData(0xB, StatusCode.ResourceExhausted)]
    [InlineData(0x2, StatusCode.Internal)]
    public async Task ServerStreaming_ServerResetsStreamMidResponse_ThrowsMappedCode(int http2ErrorCode, StatusCode expected)
    {
        var method = server.Map(MethodType.ServerStreaming, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            await context.Response.Body.FlushAsync();
            await Task.Delay(100);
            context.Features.GetRequiredFeature<IHttpResetFeature>().Reset(http2ErrorCode);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(), Hello);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(expected, exception.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_ChannelBehindPathPrefix_CallsUnderThePrefix()
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "raw.Prefixed" + Guid.NewGuid().ToString("N"), "Call", RawHttp2ServerFixture.BytesMarshaller, RawHttp2ServerFixture.BytesMarshaller);
        server.MapPath("/api/v1" + method.FullName, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var channel = GrpcChannel.ForAddress(new Uri(server.Address, "/api/v1/"));

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello).ResponseAsync.WithTimeout();

        Assert.Equal(Hello, response);
    }

    [Fact]
    public async Task UnaryCall_Failed_LogsMethodAndStatusAtDebugWithoutMetadataValues()
    {
        var method = server.Map(MethodType.Unary, context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "5";
            context.Response.Headers["grpc-message"] = "no such account";
            return Task.CompletedTask;
        });
        using var provider = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        using var channel = server.CreateChannel(o => o.LoggerFactory = loggerFactory);
        var metadata = new Metadata { { "authorization", "Bearer secret-token" } };

        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(metadata), Hello);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());

        var entry = Assert.Single(provider.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Contains(method.FullName, entry.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(StatusCode.NotFound), entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryCall_Succeeded_LogsNothing()
    {
        var method = server.Map(MethodType.Unary, async context =>
        {
            await RawHttp2ServerFixture.WriteGrpcResponseAsync(context, RawHttp2ServerFixture.Frame(Hello));
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using var provider = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        using var channel = server.CreateChannel(o => o.LoggerFactory = loggerFactory);

        await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), Hello).ResponseAsync.WithTimeout();

        Assert.Empty(provider.Entries);
    }

    /// <summary>A method whose handler reports that it started, then waits until the client resets the stream.</summary>
    private (Method<byte[], byte[]> Method, TaskCompletionSource Started, TaskCompletionSource Aborted) MapHangingMethod(MethodType type, bool sendHeaders = false)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = server.Map(type, async context =>
        {
            if (sendHeaders)
            {
                await RawHttp2ServerFixture.WriteGrpcResponseAsync(context);
                await context.Response.Body.FlushAsync();
            }

            started.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        return (method, started, aborted);
    }
}
