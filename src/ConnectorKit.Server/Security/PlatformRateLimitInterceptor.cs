using ConnectorKit.Grpc;
using ConnectorKit.Server.Security.Internal;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Security;

/// <summary>
/// Holds each platform to <see cref="PlatformRateLimitOptions"/>: a call above the limit is RESOURCE_EXHAUSTED, with a RetryInfo
/// detail saying when the next call fits and an ErrorInfo with reason <c>RATE_LIMITED</c>, before any handler runs.
/// </summary>
/// <remarks>Register it after <see cref="PlatformAuthenticationInterceptor"/>: the limit is per authenticated platform.
/// Health and reflection are not limited. With the limit off, calls pass straight through.</remarks>
public sealed class PlatformRateLimitInterceptor : Interceptor
{
    /// <summary>The ErrorInfo reason of a refused call.</summary>
    public const string Reason = "RATE_LIMITED";

    private readonly TokenBuckets? _buckets;
    private readonly double _perSecond;
    private readonly ILogger _logger;

    public PlatformRateLimitInterceptor(PlatformRateLimitOptions options, TimeProvider? timeProvider = null, ILogger<PlatformRateLimitInterceptor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _perSecond = options.CallsPerSecond;
        _buckets = options.Enabled ? new TokenBuckets(options.CallsPerSecond, options.Capacity, timeProvider ?? TimeProvider.System) : null;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Reads <see cref="ConnectorKitServerOptions.RateLimit"/>; the constructor dependency injection uses.</summary>
    [ActivatorUtilitiesConstructor]
    public PlatformRateLimitInterceptor(IOptions<ConnectorKitServerOptions> options, TimeProvider timeProvider, ILogger<PlatformRateLimitInterceptor> logger)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.RateLimit, timeProvider, logger)
    {
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Admit(ServerCallContext context)
    {
        if (_buckets is null || PlatformAuthenticationInterceptor.IsOpenMethod(context.Method))
        {
            return;
        }

        var platform = context.TryGetPlatformIdentity()?.PlatformId
            ?? throw new InvalidOperationException($"No platform identity for {context.Method}: register PlatformRateLimitInterceptor after PlatformAuthenticationInterceptor.");
        if (_buckets.TryTake(platform, out var retryAfter))
        {
            return;
        }

        _logger.LogWarning("Refused {Method} from platform {PlatformId}: above its rate limit of {CallsPerSecond} calls per second", context.Method, platform, _perSecond);
        throw RichStatus.Create(
            StatusCode.ResourceExhausted,
            $"Platform {platform} is above its rate limit of {_perSecond:0.###} calls per second; retry in {retryAfter.TotalMilliseconds:0} ms.",
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) },
            new ErrorInfo { Reason = Reason, Domain = "connectorkit.v1", Metadata = { ["calls_per_second"] = _perSecond.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) } });
    }
}
