using System.Diagnostics;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Server.Tests.Observability;

public sealed class ConnectorKitServerTelemetryTests
{
    [Fact]
    public void Meter_Created_PublishesEveryInstrumentWithItsUnit()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);

        var units = recorder.Instruments.ToDictionary(i => i.Key, i => i.Value.Unit);

        Assert.Equal("ConnectorKit.Server", telemetry.Meter.Name);
        Assert.Equal("ConnectorKit.Server", telemetry.ActivitySource.Name);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["connectorkit.server.calls"] = "{call}",
                ["connectorkit.server.call.duration"] = "ms",
                ["connectorkit.outbox.depth"] = "{message}",
                ["connectorkit.outbox.dead_letters"] = "{message}",
                ["connectorkit.outbox.delivery.latency"] = "ms",
                ["connectorkit.outbox.dead_lettered"] = "{message}",
            },
            units);
    }

    [Fact]
    public void Constructor_FromDependencyInjection_MeterComesFromTheHostsFactory()
    {
        using var services = new ServiceCollection().AddMetrics().AddSingleton<ConnectorKitServerTelemetry>().BuildServiceProvider();

        var telemetry = services.GetRequiredService<ConnectorKitServerTelemetry>();

        Assert.Same(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), telemetry.Meter.Scope);
    }

    [Fact]
    public void RecordDelivered_Latency_RecordedInMilliseconds()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);

        telemetry.RecordDelivered(TimeSpan.FromSeconds(1.5));
        telemetry.RecordDelivered(TimeSpan.FromSeconds(-1));

        Assert.Equal([1500d, 0d], recorder.For("connectorkit.outbox.delivery.latency").Select(m => m.Value));
    }

    [Fact]
    public void RecordDeadLettered_ReasonQuotingACreditCode_CountedWithTheCodeMasked()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);

        telemetry.RecordDeadLettered("rejected 91350200MA31XK7217");

        var measurement = Assert.Single(recorder.For("connectorkit.outbox.dead_lettered"));
        Assert.Equal(1, measurement.Value);
        Assert.Equal("rejected 91************7217", measurement.Tags["reason"]);
    }

    [Fact]
    public void OutboxGauges_ProbeRegistered_ReportTheProbesCounts()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);
        telemetry.RegisterOutboxProbe(() => (42, 3));

        recorder.Collect();

        Assert.Equal(42, Assert.Single(recorder.For("connectorkit.outbox.depth")).Value);
        Assert.Equal(3, Assert.Single(recorder.For("connectorkit.outbox.dead_letters")).Value);
    }

    [Fact]
    public void OutboxGauges_NoProbe_ReportNothing()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);

        recorder.Collect();

        Assert.Empty(recorder.For("connectorkit.outbox.depth"));
    }

    [Fact]
    public void OutboxGauges_ProbeThrows_ReportNothingAndDoNotThrow()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new MeasurementRecorder(telemetry.Meter);
        telemetry.RegisterOutboxProbe(() => throw new InvalidOperationException("store is down"));

        recorder.Collect();

        Assert.Empty(recorder.For("connectorkit.outbox.dead_letters"));
    }

    [Fact]
    public void StartDelivery_Listened_ClientSpanWithRpcTagsAndScrubbedApplicationId()
    {
        using var telemetry = new ConnectorKitServerTelemetry();
        using var recorder = new ActivityRecorder(telemetry.ActivitySource);

        using (var activity = telemetry.StartDelivery("app-91350200MA31XK7217", "/connectorkit.v1.LoanEvents/NotifyDisbursement"))
        {
            Assert.NotNull(activity);
        }

        var span = Assert.Single(recorder.Stopped);
        Assert.Equal("connectorkit.v1.LoanEvents/NotifyDisbursement", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("grpc", span.GetTagItem("rpc.system"));
        Assert.Equal("connectorkit.v1.LoanEvents", span.GetTagItem("rpc.service"));
        Assert.Equal("NotifyDisbursement", span.GetTagItem("rpc.method"));
        Assert.Equal("app-91350200MA31XK7217".Length, ((string)span.GetTagItem("connectorkit.application_id")!).Length);
        Assert.Equal("app-91************7217", span.GetTagItem("connectorkit.application_id"));
    }

    [Fact]
    public void StartDelivery_NobodyListening_ReturnsNull()
    {
        using var telemetry = new ConnectorKitServerTelemetry();

        var activity = telemetry.StartDelivery("app-1", "/connectorkit.v1.LoanEvents/NotifyApprovalDecision");

        Assert.Null(activity);
    }
}
