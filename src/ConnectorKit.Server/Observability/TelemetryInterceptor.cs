using System.Diagnostics;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Observability.Internal;
using ConnectorKit.Server.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectorKit.Server.Observability;

/// <summary>
/// Traces, counts and times every call the server handles, for all four call kinds: a span of kind Server named
/// <c>package.Service/Method</c> with <c>rpc.grpc.status_code</c>, and <c>connectorkit.server.calls</c> and
/// <c>connectorkit.server.call.duration</c> tagged with the method and the status. Register it first (outermost), so calls
/// refused by <see cref="PlatformAuthenticationInterceptor"/> are measured too.
/// </summary>
public sealed class TelemetryInterceptor : Interceptor
{
    private readonly ConnectorKitServerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public TelemetryInterceptor(ConnectorKitServerTelemetry telemetry, ILogger<TelemetryInterceptor>? logger = null, TimeProvider? timeProvider = null)
    {
        _telemetry = telemetry ?? throw new ArgumentNullException(nameof(telemetry));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var call = Begin(context);
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            End(context, call, null);
            return response;
        }
        catch (Exception ex)
        {
            End(context, call, ex);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = Begin(context);
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            End(context, call, null);
            return response;
        }
        catch (Exception ex)
        {
            End(context, call, ex);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = Begin(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            End(context, call, null);
        }
        catch (Exception ex)
        {
            End(context, call, ex);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = Begin(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            End(context, call, null);
        }
        catch (Exception ex)
        {
            End(context, call, ex);
            throw;
        }
    }

    /// <summary>The status the client will see for a handler that ended with <paramref name="exception"/> (null: returned normally).</summary>
    internal static StatusCode StatusOf(ServerCallContext context, Exception? exception, DateTime utcNow) => exception switch
    {
        null => context.Status.StatusCode,
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.Deadline <= utcNow => StatusCode.DeadlineExceeded,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    private (Activity? Activity, long Started) Begin(ServerCallContext context)
    {
        // Without ASP.NET Core's own request activity, continue the caller's trace from its traceparent metadata.
        var parent = default(ActivityContext);
        if (Activity.Current is null
            && context.RequestHeaders.GetValue("traceparent") is { } traceparent
            && ActivityContext.TryParse(traceparent, context.RequestHeaders.GetValue("tracestate"), isRemote: true, out var remote))
        {
            parent = remote;
        }

        return (_telemetry.StartServerCall(context.Method, parent), _timeProvider.GetTimestamp());
    }

    private void End(ServerCallContext context, (Activity? Activity, long Started) call, Exception? exception)
    {
        var elapsed = _timeProvider.GetElapsedTime(call.Started);
        var status = StatusOf(context, exception, _timeProvider.GetUtcNow().UtcDateTime);
        _telemetry.RecordCall(context.Method, status, elapsed);

        var platformId = context.TryGetPlatformIdentity()?.PlatformId;
        if (call.Activity is { } activity)
        {
            activity.SetTag("rpc.grpc.status_code", (int)status);
            if (platformId is not null)
            {
                activity.SetTag("connectorkit.platform_id", platformId);
            }

            // Status details stay out of the span: they may quote the request. For a server span only faults of the
            // server are errors; a caller's mistake (INVALID_ARGUMENT, NOT_FOUND, …) is a successful refusal.
            if (IsServerError(status))
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }

            activity.Dispose();
        }

        TelemetryLog.CallEnded(_logger, context.Method, ConnectorKitServerTelemetry.StatusName(status), elapsed.TotalMilliseconds, platformId ?? "-");
    }

    private static bool IsServerError(StatusCode status)
        => status is StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Unimplemented
            or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DataLoss;
}
