using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Client.Internal;

/// <summary>One bank: its channel (opened on first use), its generated clients and its resilience pipeline (built once).</summary>
internal sealed class BankConnection : IDisposable
{
    internal static readonly ResiliencePropertyKey<bool> Retryable = new("ConnectorKit.Retryable");

    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<CallInvoker> _invoker;

    public BankConnection(string bankId, BankConnectionOptions options, IBankTokenProvider tokens, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    {
        BankId = bankId;
        Options = options;
        TimeProvider = timeProvider;
        _channel = new Lazy<GrpcChannel>(() => CreateChannel(bankId, options, tokens, loggerFactory), LazyThreadSafetyMode.ExecutionAndPublication);
        _invoker = new Lazy<CallInvoker>(() => _channel.Value.CreateCallInvoker(), LazyThreadSafetyMode.ExecutionAndPublication);
        Pipeline = BuildPipeline(bankId, options.Resilience, timeProvider);
    }

    public string BankId { get; }

    public BankConnectionOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ResiliencePipeline Pipeline { get; }

    public CallInvoker CallInvoker => _invoker.Value;

    public TimeSpan DeadlineFor(string method)
        => Options.MethodDeadlines.TryGetValue(method, out var deadline) ? deadline : Options.DefaultDeadline;

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }

    internal static bool IsTransient(StatusCode code)
        => code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;

    private static ResiliencePipeline BuildPipeline(string bankId, BankResilienceOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { Name = "ConnectorKit:" + bankId, TimeProvider = timeProvider };

        // Outermost: the limit counts logical calls, not attempts, so a retrying call keeps its one permit.
        builder.AddStrategy(_ => new ConcurrencyLimitStrategy(bankId, options.MaxConcurrentCalls), new ConcurrencyLimitStrategyOptions());
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,

                // A bank that says when to come back (google.rpc.RetryInfo, e.g. with RESOURCE_EXHAUSTED at its rate limit) is
                // taken at its word rather than retried sooner; MaxDelay still bounds the wait.
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is RpcException e && e.GetDetail<Google.Rpc.RetryInfo>() is { RetryDelay: { } hint }
                        ? (TimeSpan?)hint.ToTimeSpan()
                        : null),
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is RpcException e
                    && IsTransient(e.StatusCode)
                    && args.Context.Properties.GetValue(Retryable, false)

                    // The context's token fires when the call's overall deadline is spent: no attempt can fit any more.
                    && !args.Context.CancellationToken.IsCancellationRequested),
            });
        }

        // Innermost: every attempt counts, and an open breaker stops the retries too.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted }),
        });
        return builder.Build();
    }

    private static GrpcChannel CreateChannel(string bankId, BankConnectionOptions options, IBankTokenProvider tokens, ILoggerFactory? loggerFactory)
    {
        var clientCertificate = options.ClientCertificatePath is { } certificatePath
            ? CertificateLoader.LoadPemWithKey(certificatePath, options.ClientCertificateKeyPath)
            : null;
        var authorities = options.TrustedCaPath is { } caPath ? CertificateLoader.LoadPemCertificates(caPath) : null;
        var channelOptions = new GrpcChannelOptions
        {
            LoggerFactory = loggerFactory,
            ConfigureSocketsHttpHandler = handler => ChannelTls.Configure(handler.SslOptions, clientCertificate, authorities),
        };
        channelOptions.Interceptors.Add(new BankTokenInterceptor(bankId, tokens));
        return GrpcChannel.ForAddress(options.Address!, channelOptions);
    }
}
