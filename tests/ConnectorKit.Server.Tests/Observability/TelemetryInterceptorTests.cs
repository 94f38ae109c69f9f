using System.Diagnostics;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Server.Tests.Observability;

/// <summary>Spans and call metrics of a real server with <see cref="TelemetryInterceptor"/> outside the authentication interceptor.</summary>
public sealed class TelemetryInterceptorTests
{
    private const string Token = "ck-token-telemetry-4b5c6d7e8f9a0b1c";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    public static TheoryData<CallKind> Kinds => [CallKind.Unary, CallKind.ClientStreaming, CallKind.ServerStreaming, CallKind.Duplex];

    [Fact]
    public async Task Unary_Succeeds_ServerSpanWithStatusCodeAndPlatform()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var spans = new ActivityRecorder(telemetry.ActivitySource);
        await using var server = await StartAsync(telemetry);
        using var channel = GrpcChannel.ForAddress(server.Address);

        await EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(Token)).WaitAsync(Timeout);

        var span = Assert.Single(spans.Stopped);
        Assert.Equal("connectorkit.tests.Echo/Unary", span.DisplayName);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(0, span.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal("platform-a", span.GetTagItem("connectorkit.platform_id"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Call_EachKind_CountedAndTimedWithMethodAndStatus(CallKind kind)
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var metrics = new MeasurementRecorder(telemetry.Meter);
        await using var server = await StartAsync(telemetry);
        using var channel = GrpcChannel.ForAddress(server.Address);

        await EchoCalls.CallAsync(channel, kind, EchoCalls.Bearer(Token)).WaitAsync(Timeout);

        var method = "/connectorkit.tests.Echo/" + (kind == CallKind.Duplex ? "Duplex" : kind.ToString());
        var count = Assert.Single(metrics.For("connectorkit.server.calls"));
        Assert.Equal(1, count.Value);
        Assert.Equal(method, count.Tags["method"]);
        Assert.Equal("OK", count.Tags["status"]);
        var duration = Assert.Single(metrics.For("connectorkit.server.call.duration"));
        Assert.InRange(duration.Value, 0, Timeout.TotalMilliseconds);
        Assert.Equal(method, duration.Tags["method"]);
    }

    [Fact]
    public async Task Unary_RefusedByAuthentication_CountedAsUnauthenticated()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var metrics = new MeasurementRecorder(telemetry.Meter);
        using var spans = new ActivityRecorder(telemetry.ActivitySource);
        await using var server = await StartAsync(telemetry);
        using var channel = GrpcChannel.ForAddress(server.Address);

        await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel)).WaitAsync(Timeout);

        Assert.Equal("UNAUTHENTICATED", Assert.Single(metrics.For("connectorkit.server.calls")).Tags["status"]);
        var span = Assert.Single(spans.Stopped);
        Assert.Equal((int)StatusCode.Unauthenticated, span.GetTagItem("rpc.grpc.status_code"));
        Assert.Null(span.GetTagItem("connectorkit.platform_id"));
    }

    [Fact]
    public async Task Unary_HandlerRefusesTheRequest_StatusTaggedButSpanNotAnError()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var spans = new ActivityRecorder(telemetry.ActivitySource);
        await using var server = await StartAsync(telemetry);
        using var channel = GrpcChannel.ForAddress(server.Address);

        await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, EchoCalls.Bearer(Token), EchoService.FailText)).WaitAsync(Timeout);

        var span = Assert.Single(spans.Stopped);
        Assert.Equal((int)StatusCode.InvalidArgument, span.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Unary_CallerSendsTraceparent_SpanJoinsTheCallersTrace()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var spans = new ActivityRecorder(telemetry.ActivitySource);
        await using var server = await StartAsync(telemetry);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var traceId = ActivityTraceId.CreateRandom();
        var headers = EchoCalls.Bearer(Token);
        headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        await EchoCalls.CallAsync(channel, CallKind.Unary, headers).WaitAsync(Timeout);

        Assert.Equal(traceId, Assert.Single(spans.Stopped).TraceId);
    }

    [Fact]
    public void StatusOf_CancelledAfterTheDeadline_DeadlineExceeded()
    {
        var context = new FakeServerCallContext();

        var status = TelemetryInterceptor.StatusOf(context, new OperationCanceledException(), DateTime.MaxValue);

        Assert.Equal(StatusCode.DeadlineExceeded, status);
    }

    private static Task<TestServer> StartAsync(ConnectorKitServerTelemetry telemetry) => TestServer.StartAsync(new()
    {
        Telemetry = telemetry,
        Authentication = new() { BearerTokens = { [Token] = "platform-a" } },
    });
}
