using System.Diagnostics;
using System.Diagnostics.Metrics;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Observability.Internal;

namespace ConnectorKit.Server.Observability;

/// <summary>
/// The server's traces (<see cref="ActivitySource"/> <c>ConnectorKit.Server</c>) and metrics (<see cref="Meter"/> <c>ConnectorKit.Server</c>):
/// <c>connectorkit.server.calls</c> and <c>connectorkit.server.call.duration</c> (ms) by method and status, fed by <see cref="TelemetryInterceptor"/>;
/// <c>connectorkit.outbox.depth</c>, <c>connectorkit.outbox.dead_letters</c>, <c>connectorkit.outbox.delivery.latency</c> (ms) and
/// <c>connectorkit.outbox.dead_lettered</c>, fed by the callback dispatcher. Register one instance as a singleton.
/// Tags never carry credit codes, account numbers, phone numbers or tokens.
/// </summary>
public sealed class ConnectorKitServerTelemetry : IDisposable
{
    /// <summary>The name of both the activity source and the meter.</summary>
    public const string Name = "ConnectorKit.Server";

    private static readonly string? Version = typeof(ConnectorKitServerTelemetry).Assembly.GetName().Version?.ToString();

    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _callDuration;
    private readonly Histogram<double> _deliveryLatency;
    private readonly Counter<long> _deadLettered;
    private volatile Func<(long Depth, long DeadLetters)>? _outboxProbe;

    /// <summary>
    /// Takes the meter from <paramref name="meterFactory"/> (scoped to the host's service provider, which disposes it);
    /// without one, creates and owns its own.
    /// </summary>
    public ConnectorKitServerTelemetry(IMeterFactory? meterFactory = null)
    {
        ActivitySource = new ActivitySource(Name, Version);
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(Name) { Version = Version }) ?? new Meter(Name, Version);

        _calls = Meter.CreateCounter<long>("connectorkit.server.calls", "{call}", "gRPC calls handled, tagged with method and status.");
        _callDuration = Meter.CreateHistogram<double>("connectorkit.server.call.duration", "ms", "Time from a call's arrival to its status, tagged with method and status.");
        Meter.CreateObservableGauge("connectorkit.outbox.depth", () => ObserveOutbox(depth: true), "{message}", "Callbacks waiting in the outbox for delivery.");
        Meter.CreateObservableGauge("connectorkit.outbox.dead_letters", () => ObserveOutbox(depth: false), "{message}", "Callbacks in the outbox that gave up and wait for an operator.");
        _deliveryLatency = Meter.CreateHistogram<double>("connectorkit.outbox.delivery.latency", "ms", "Time from a callback event's creation to the platform's acknowledgement.");
        _deadLettered = Meter.CreateCounter<long>("connectorkit.outbox.dead_lettered", "{message}", "Callbacks moved to dead letters, tagged with the reason.");
    }

    /// <summary>Where the server's spans start: calls it serves (kind Server) and callbacks it delivers (kind Client).</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>The meter holding every instrument listed on the class.</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Feeds the outbox gauges. Called on every metrics collection, once per gauge, so it must be cheap and must not block:
    /// return counts the dispatcher keeps in memory, not a database query. A probe that throws reports nothing that time.
    /// </summary>
    public void RegisterOutboxProbe(Func<(long Depth, long DeadLetters)> probe)
        => _outboxProbe = probe ?? throw new ArgumentNullException(nameof(probe));

    /// <summary>
    /// Starts the span of one callback delivery (kind Client, named like <c>connectorkit.v1.LoanEvents/NotifyDisbursement</c>), or returns
    /// null when nobody listens. Dispose it when the attempt ends. <paramref name="applicationId"/> is tagged with anything that looks like
    /// a credit code, phone or account number in it masked.
    /// </summary>
    /// <param name="method">The gRPC method, <c>/package.Service/Method</c> or without the leading slash.</param>
    public Activity? StartDelivery(string? applicationId, string method)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var activity = ActivitySource.StartActivity(SpanName(method), ActivityKind.Client);
        if (activity is not null)
        {
            AddRpcTags(activity, method);
            if (!string.IsNullOrEmpty(applicationId))
            {
                activity.SetTag("connectorkit.application_id", SensitiveText.Scrub(applicationId));
            }
        }

        return activity;
    }

    /// <summary>Records one acknowledged callback; <paramref name="latency"/> runs from the event's creation to the acknowledgement (negative counts as 0).</summary>
    public void RecordDelivered(TimeSpan latency)
        => _deliveryLatency.Record(Math.Max(0, latency.TotalMilliseconds));

    /// <summary>
    /// Counts one callback moved to dead letters. <paramref name="reason"/> becomes a tag, so keep it a short code
    /// (<c>max_attempts</c>, <c>permanent_status:FAILED_PRECONDITION</c>); it is scrubbed and cut to 64 characters.
    /// </summary>
    public void RecordDeadLettered(string reason)
    {
        var tag = SensitiveText.Scrub(reason);
        if (tag.Length == 0)
        {
            tag = "unspecified";
        }
        else if (tag.Length > 64)
        {
            tag = tag[..64];
        }

        _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", tag));
    }

    public void Dispose()
    {
        ActivitySource.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    internal Activity? StartServerCall(string method, ActivityContext parent)
    {
        var activity = ActivitySource.StartActivity(SpanName(method), ActivityKind.Server, parent);
        if (activity is not null)
        {
            AddRpcTags(activity, method);
        }

        return activity;
    }

    internal void RecordCall(string method, StatusCode status, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "method", method },
            { "status", StatusName(status) },
        };
        _calls.Add(1, tags);
        _callDuration.Record(duration.TotalMilliseconds, tags);
    }

    /// <summary>The canonical gRPC name of a status code, e.g. <c>PERMISSION_DENIED</c>.</summary>
    internal static string StatusName(StatusCode status) => status.ToWireName();

    // OpenTelemetry's RPC conventions name spans "package.Service/Method", without the path's leading slash.
    private static string SpanName(string method) => method.StartsWith('/') ? method[1..] : method;

    private static void AddRpcTags(Activity activity, string method)
    {
        var name = SpanName(method);
        var slash = name.LastIndexOf('/');
        activity.SetTag("rpc.system", "grpc");
        if (slash > 0)
        {
            activity.SetTag("rpc.service", name[..slash]);
            activity.SetTag("rpc.method", name[(slash + 1)..]);
        }
    }

    private IEnumerable<Measurement<long>> ObserveOutbox(bool depth)
    {
        if (_outboxProbe is not { } probe)
        {
            return [];
        }

        (long Depth, long DeadLetters) counts;
        try
        {
            counts = probe();
        }
        catch (Exception)
        {
            // A failing probe must not stop the exporter from collecting every other instrument.
            return [];
        }

        return [new Measurement<long>(depth ? counts.Depth : counts.DeadLetters)];
    }
}
