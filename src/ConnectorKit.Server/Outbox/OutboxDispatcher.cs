using System.Collections.Concurrent;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Outbox.Internal;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Outbox;

/// <summary>
/// Delivers the callback outbox to the platform's LoanEvents service, at least once and in per-application sequence
/// order. Each round leases due messages (the head of each application's queue), sends their stored bytes as-is with a
/// deadline of <see cref="PlatformCallbackOptions.AttemptTimeout"/>, and then completes, reschedules (exponential
/// back-off with Polly's jitter, up to <see cref="PlatformCallbackOptions.MaxRetryDelay"/>) or dead-letters each one.
/// Several dispatchers, in one process or on several nodes, may share a store.
/// </summary>
/// <remarks>
/// Status handling: OK completes. INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS
/// and OUT_OF_RANGE dead-letter (logged at Information). UNAUTHENTICATED and UNIMPLEMENTED are configuration faults:
/// retried with back-off and logged as errors. Every other status (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
/// UNKNOWN, INTERNAL, ABORTED, CANCELLED, …) and transport failures are retried (logged as warnings).
/// Acknowledged messages are removed in batches (one transaction for those acknowledged together).
/// Idle, it polls every <see cref="PlatformCallbackOptions.PollInterval"/>; after a round with work it goes again at
/// once; <see cref="Nudge"/> wakes it early. On stop, deliveries in flight finish (each bounded by its deadline) and
/// their outcome is recorded; if the host gives up first, their leases expire and another round sends them again.
/// </remarks>
public sealed class OutboxDispatcher : BackgroundService
{
    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create<byte[]>(static b => b, static b => b);

    private readonly IOutboxStore _store;
    private readonly IPlatformChannelProvider _channels;
    private readonly PlatformCallbackOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RetryDelays _delays;
    private readonly ConcurrentDictionary<string, Method<byte[], byte[]>?> _methods = new(StringComparer.Ordinal);
    private readonly ConnectorKit.Server.Observability.ConnectorKitServerTelemetry? _telemetry;
    private readonly ConcurrentQueue<(long Id, TaskCompletionSource Done)> _completions = new();
    private readonly SemaphoreSlim _completionGate = new(1, 1);
    private TaskCompletionSource _wake = NewWake();
    private long _lastDepth;
    private long _lastDeadLetters;
    private DateTimeOffset _statsReadAt = DateTimeOffset.MinValue;

    public OutboxDispatcher(
        IOutboxStore store,
        IPlatformChannelProvider channels,
        IOptions<ConnectorKitServerOptions> options,
        ILogger<OutboxDispatcher> logger,
        TimeProvider? timeProvider = null,
        ConnectorKit.Server.Observability.ConnectorKitServerTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _options = options.Value.Platform ?? throw new ArgumentException("Platform options are missing.", nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = timeProvider ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.AttemptTimeout, TimeSpan.Zero, "Platform.AttemptTimeout");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.PollInterval, TimeSpan.Zero, "Platform.PollInterval");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, "Platform.BatchSize");
        _delays = new RetryDelays(_options.BaseRetryDelay, _options.MaxRetryDelay);
        Owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        _telemetry = telemetry;
        _telemetry?.RegisterOutboxProbe(() => (Volatile.Read(ref _lastDepth), Volatile.Read(ref _lastDeadLetters)));
    }

    /// <summary>This dispatcher's lease owner name: machine, process id and a per-instance guid.</summary>
    public string Owner { get; }

    /// <summary>How long a leased message stays reserved: three attempt time-outs, so a round finishes well within it.</summary>
    public TimeSpan LeaseDuration => _options.AttemptTimeout * 3;

    /// <summary>Wakes the dispatcher now instead of at the next poll, e.g. right after a state change wrote events.</summary>
    public void Nudge() => Volatile.Read(ref _wake).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        OutboxLog.Started(_logger, Owner);
        if (_options.Address is null)
        {
            OutboxLog.NoAddress(_logger);
            OutboxLog.Stopped(_logger, Owner);
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            // A nudge from now on completes this source and so cuts the wait after this round short: an event written
            // while the round runs is not left for the next poll. (A nudge before it is covered by the round itself.)
            var wake = NewWake();
            Volatile.Write(ref _wake, wake);
            var wait = _options.PollInterval;
            try
            {
                var leasedAny = await RunRoundAsync(stoppingToken).ConfigureAwait(false);
                await RefreshStatsAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                if (leasedAny)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store is unreachable or failing: back off, up to the retry cap, so a broken database is not hammered.
                failures++;
                wait = Min(_options.PollInterval * Math.Pow(2, Math.Min(failures, 16)), Max(_options.MaxRetryDelay, _options.PollInterval));
                OutboxLog.RoundFailed(_logger, ex, wait);
            }

            await WaitAsync(wake.Task, wait, stoppingToken).ConfigureAwait(false);
        }

        OutboxLog.Stopped(_logger, Owner);
    }

    /// <summary>Keeps the outbox gauges current, reading the counts at most once a second.</summary>
    private async Task RefreshStatsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_telemetry is null || now - _statsReadAt < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _statsReadAt = now;
        var stats = await _store.GetOutboxStatsAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastDepth, stats.Pending);
        Volatile.Write(ref _lastDeadLetters, stats.DeadLetters);
    }

    /// <summary>One lease-and-deliver round; true when it leased anything.</summary>
    private async Task<bool> RunRoundAsync(CancellationToken stoppingToken)
    {
        var leased = await _store.LeaseDueAsync(_options.BatchSize, Owner, LeaseDuration, _time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
        if (leased.Count == 0)
        {
            return false;
        }

        // Leased messages belong to different applications (one head each), so they may go out together; that also
        // keeps the whole round within one attempt time-out, far inside the lease.
        await Task.WhenAll(leased.Select(DeliverAsync)).ConfigureAwait(false);
        return true;
    }

    private async Task DeliverAsync(OutboxMessage message)
    {
        using var activity = _telemetry?.StartDelivery(message.ApplicationId, message.Method);
        var (code, detail) = await SendAsync(message).ConfigureAwait(false);
        activity?.SetTag("rpc.grpc.status_code", (int)code);
        var status = DeliveryPolicy.Name(code);
        try
        {
            // Not cancelled by the host's stop: an answer the platform gave must be recorded.
            switch (DeliveryPolicy.Classify(code))
            {
                case DeliveryVerdict.Complete:
                    await CompleteAsync(message.Id).ConfigureAwait(false);
                    _telemetry?.RecordDelivered(_time.GetUtcNow() - message.CreatedAt);
                    OutboxLog.Delivered(_logger, message.Id, message.Method, message.ApplicationId, message.Sequence, message.EventId);
                    break;

                case DeliveryVerdict.DeadLetter:
                    await _store.DeadLetterAsync(message.Id, Truncate($"{status}: {detail}"), _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                    _telemetry?.RecordDeadLettered(status);
                    OutboxLog.DeadLettered(_logger, message.Id, message.Method, message.ApplicationId, message.Sequence, message.EventId, status, detail);
                    break;

                case var verdict:
                    var delay = _delays.Next(message.Attempts);
                    await _store.RetryLaterAsync(message.Id, _time.GetUtcNow() + delay, Truncate($"{status}: {detail}"), CancellationToken.None).ConfigureAwait(false);
                    if (verdict == DeliveryVerdict.RetryConfigurationFault)
                    {
                        OutboxLog.ConfigurationFault(_logger, message.Id, message.Method, message.ApplicationId, message.Sequence, message.EventId, message.Attempts + 1, status, detail, delay);
                    }
                    else
                    {
                        OutboxLog.WillRetry(_logger, message.Id, message.Method, message.ApplicationId, message.Sequence, message.EventId, message.Attempts + 1, status, detail, delay);
                    }

                    break;
            }
        }
        catch (Exception ex)
        {
            OutboxLog.RecordFailed(_logger, ex, message.Id, status);
        }
    }

    /// <summary>
    /// Removes an acknowledged message. Acknowledgements that come in while an earlier removal commits are removed
    /// together in the next transaction, so a busy round costs a few disk syncs instead of one per message.
    /// </summary>
    private async Task CompleteAsync(long messageId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _completions.Enqueue((messageId, done));
        while (!done.Task.IsCompleted)
        {
            await _completionGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!done.Task.IsCompleted)
                {
                    await CompleteQueuedAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _completionGate.Release();
            }
        }

        await done.Task.ConfigureAwait(false);
    }

    private async Task CompleteQueuedAsync()
    {
        var batch = new List<(long Id, TaskCompletionSource Done)>();
        while (_completions.TryDequeue(out var completion))
        {
            batch.Add(completion);
        }

        try
        {
            // Not cancelled by the host's stop: an answer the platform gave must be recorded.
            await _store.CompleteAsync([.. batch.Select(c => c.Id)], CancellationToken.None).ConfigureAwait(false);
            batch.ForEach(c => c.Done.TrySetResult());
        }
        catch (Exception ex)
        {
            // The leases expire and the messages go out again; the platform answers the copies as duplicates.
            batch.ForEach(c => c.Done.TrySetException(ex));
        }
    }

    private async Task<(StatusCode Code, string Detail)> SendAsync(OutboxMessage message)
    {
        var method = _methods.GetOrAdd(message.Method, static name => ParseMethod(name));
        if (method is null)
        {
            return (StatusCode.InvalidArgument, $"'{message.Method}' is not a gRPC method path of the form /package.Service/Method.");
        }

        try
        {
            var options = new CallOptions(deadline: (_time.GetUtcNow() + _options.AttemptTimeout).UtcDateTime);
            using var call = _channels.GetCallInvoker().AsyncUnaryCall(method, null, options, message.Payload);
            await call.ResponseAsync.ConfigureAwait(false);
            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
        catch (Exception ex)
        {
            // The runtime reports transport faults as RpcException; anything else (a provider that throws, say) is a
            // fault of the moment, not the platform's refusal.
            return (StatusCode.Unavailable, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static Method<byte[], byte[]>? ParseMethod(string fullName)
    {
        // "/connectorkit.v1.LoanEventsService/NotifyDisbursement"
        var slash = fullName.LastIndexOf('/');
        if (fullName.Length < 4 || fullName[0] != '/' || slash <= 1 || slash == fullName.Length - 1)
        {
            return null;
        }

        return new Method<byte[], byte[]>(MethodType.Unary, fullName[1..slash], fullName[(slash + 1)..], RawBytes, RawBytes);
    }

    private async Task WaitAsync(Task wake, TimeSpan delay, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var timer = Task.Delay(delay, _time, cts.Token);
        await Task.WhenAny(wake, timer).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
