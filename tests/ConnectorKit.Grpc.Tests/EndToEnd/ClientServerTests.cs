using ConnectorKit.Grpc.Health;
using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Health.V1;
using Grpc.Testing;
using Microsoft.Extensions.DependencyInjection;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace ConnectorKit.Grpc.Tests.EndToEnd;

/// <summary>ConnectorKit's generated clients and channel against ConnectorKit's server, both real, over loopback.</summary>
public sealed class ClientServerTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task UnaryCall_LargePayloads_RoundTrip()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var response = await client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314_159, Payload = new Payload { Body = ByteString.CopyFrom(new byte[271_828]) } }).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(314_159, response.Payload.Body.Length);
    }

    [Fact]
    public async Task FullDuplexCall_PingPong_AnswersEachMessageInTurn()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        using var call = client.FullDuplexCall();
        var sizes = new List<int>();

        foreach (var size in new[] { 31_415, 9, 2_653, 58_979 })
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = size } } }).WaitAsync(Timeout);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal([31_415, 9, 2_653, 58_979], sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task FullDuplexCall_DeadlineOnSleepingServer_IsDeadlineExceeded()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        using var call = client.FullDuplexCall(deadline: DateTime.UtcNow.AddMilliseconds(100));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None)).WaitAsync(Timeout);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task UnaryCall_GzipBothWays_ServerSeesCompressedRequest()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { RequestCompression = "gzip" });
        var client = new TestService.TestServiceClient(channel);
        var request = new SimpleRequest
        {
            ExpectCompressed = new BoolValue { Value = true },
            ResponseCompressed = new BoolValue { Value = true },
            ResponseSize = 10_000,
            Payload = new Payload { Body = ByteString.CopyFrom(new byte[10_000]) },
        };

        // The server answers INVALID_ARGUMENT unless the request message's frame is flagged compressed.
        var response = await client.UnaryCallAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(10_000, response.Payload.Body.Length);
    }

    [Fact]
    public async Task ClientInterceptor_AddsHeader_ServerEchoesIt()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { Interceptors = { new HeaderInterceptor("x-grpc-test-echo-initial", "from-interceptor") } });
        var client = new TestService.TestServiceClient(channel);

        using var call = client.UnaryCallAsync(new SimpleRequest());
        await call.ResponseAsync.WaitAsync(Timeout);
        var headers = await call.ResponseHeadersAsync.WaitAsync(Timeout);

        Assert.Equal("from-interceptor", headers.GetValue("x-grpc-test-echo-initial"));
    }

    [Fact]
    public async Task HealthCheck_MappedAndUnknownServices_ServingAndNotFound()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new global::Grpc.Health.V1.Health.HealthClient(channel);

        var serving = await health.CheckAsync(new HealthCheckRequest { Service = "grpc.testing.TestService" }).ResponseAsync.WaitAsync(Timeout);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task HealthWatch_StatusChanges_WatcherSeesEachChange()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new global::Grpc.Health.V1.Health.HealthClient(channel);
        var service = "connectorkit.tests.Watched" + Guid.NewGuid().ToString("N");
        var impl = server.Services.GetRequiredService<HealthServiceImpl>();
        using var cts = new CancellationTokenSource(Timeout);
        using var call = health.Watch(new HealthCheckRequest { Service = service }, cancellationToken: cts.Token);
        var seen = new List<HealthCheckResponse.Types.ServingStatus>();

        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        seen.Add(call.ResponseStream.Current.Status);
        impl.SetStatus(service, HealthCheckResponse.Types.ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        seen.Add(call.ResponseStream.Current.Status);
        impl.SetStatus(service, HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNext(cts.Token));
        seen.Add(call.ResponseStream.Current.Status);

        Assert.Equal([HealthCheckResponse.Types.ServingStatus.ServiceUnknown, HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Types.ServingStatus.NotServing], seen);
    }

    [Fact]
    public async Task ReflectionV1Alpha_FileContainingSymbol_ReturnsFileWithDependencies()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var reflection = new V1Alpha.ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "grpc.testing.TestService.UnaryCall" }).WaitAsync(Timeout);
        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes).Name)
            .ToList();

        Assert.Equal("grpc/testing/test.proto", files[0]);
        Assert.Contains("grpc/testing/messages.proto", files);
        Assert.Contains("grpc/testing/empty.proto", files);
    }

    [Fact]
    public async Task ReflectionV1Alpha_UnknownSymbol_AnswersNotFoundInStream()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var reflection = new V1Alpha.ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" }).WaitAsync(Timeout);
        await call.RequestStream.CompleteAsync().WaitAsync(Timeout);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal((int)StatusCode.NotFound, call.ResponseStream.Current.ErrorResponse.ErrorCode);
    }

    private sealed class HeaderInterceptor(string key, string value) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var headers = new Metadata();
            foreach (var entry in context.Options.Headers ?? [])
            {
                headers.Add(entry);
            }

            headers.Add(key, value);
            return continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers)));
        }
    }
}

/// <summary>Rich errors travel from a ConnectorKit handler to a ConnectorKit client intact.</summary>
public sealed class RichErrorTests(ProbeServerFixture server) : IClassFixture<ProbeServerFixture>
{
    [Fact]
    public async Task FailRich_ClientDecodesBadRequestFieldViolation()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.FailRichAsync(new ProbeRequest { Text = "91350100M0001TGQXM" }).ResponseAsync).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("The request is invalid.", error.Status.Detail);
        var violation = Assert.Single(error.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("text", violation.Field);
        Assert.Contains("91350100M0001TGQXM", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientStreaming_ServerFailsWhileClientStillWrites_ClientSeesServerStatusNotCancelled()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);
        using var call = client.Collect(deadline: DateTime.UtcNow.AddSeconds(20));
        var big = new string('x', 64 * 1024);
        RpcException? error = null;

        try
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Text = "fail" }).WaitAsync(TimeSpan.FromSeconds(20));
            for (var i = 0; i < 200; i++)
            {
                await call.RequestStream.WriteAsync(new ProbeRequest { Text = big }).WaitAsync(TimeSpan.FromSeconds(20));
            }

            await call.RequestStream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (RpcException ex)
        {
            error = ex;
        }

        Assert.NotNull(error);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("bank busy, try later", error.Status.Detail);
    }

    [Fact]
    public async Task Throw_ClientSeesUnknownWithoutServerDetails()
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new Probe.Probe.ProbeClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ThrowAsync(new ProbeRequest { Text = "internal secret" }).ResponseAsync).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain("internal secret", error.Status.Detail, StringComparison.Ordinal);
    }
}
