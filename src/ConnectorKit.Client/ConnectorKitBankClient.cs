using System.Security.Cryptography;
using ConnectorKit.Client.Internal;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Polly;
using Polly.CircuitBreaker;

namespace ConnectorKit.Client;

/// <summary>
/// Typed, resilient calls to one bank. Every wrapper runs under one deadline across all its attempts (the per-method
/// deadline), retries UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and ABORTED with exponential back-off, and goes
/// through the bank's circuit breaker and concurrency limit. Every failure surfaces as <see cref="RpcException"/> with the
/// bank's status and details: a spent deadline as DEADLINE_EXCEEDED, an open breaker as UNAVAILABLE, the concurrency
/// limit as RESOURCE_EXHAUSTED. Thread-safe; get it from <see cref="IConnectorKitClientFactory"/>.
/// </summary>
public sealed class ConnectorKitBankClient
{
    private const string RequestIdAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private readonly IApplicationTracker? _tracker;

    internal ConnectorKitBankClient(BankConnection connection, IApplicationTracker? tracker)
    {
        Connection = connection;
        _tracker = tracker;
    }

    public string BankId => Connection.BankId;

    /// <summary>The generated CreditData client on the bank's channel: token, TLS, no retries, no breaker.</summary>
    public CreditDataService.CreditDataServiceClient CreditData => new(Connection.CallInvoker);

    /// <summary>The generated LoanApplications client on the bank's channel: token, TLS, no retries, no breaker.</summary>
    public LoanApplicationsService.LoanApplicationsServiceClient LoanApplications => new(Connection.CallInvoker);

    internal BankConnection Connection { get; }

    /// <summary>Versioned upsert; retried, since a repeated push of the same version comes back STALE.</summary>
    public Task<PushCreditProfileResponse> PushCreditProfileAsync(PushCreditProfileRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync("PushCreditProfile", request, static (c, r, o) => c.PushCreditProfileAsync(r, o), cancellationToken);

    public Task<RevokeConsentResponse> RevokeConsentAsync(RevokeConsentRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync("RevokeConsent", request, static (c, r, o) => c.RevokeConsentAsync(r, o), cancellationToken);

    /// <summary>
    /// Submits an application. An empty <c>request_id</c> is filled in (on a copy) once per call and kept across retries, so
    /// a retry after a lost response returns the same application instead of creating a second. The application is recorded
    /// with the registered <see cref="IApplicationTracker"/>, if any.
    /// </summary>
    public async Task<SubmitApplicationResponse> SubmitApplicationAsync(SubmitApplicationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.RequestId))
        {
            request = request.Clone();
            request.RequestId = NewRequestId(Connection.TimeProvider);
        }

        var response = await UnaryAsync("SubmitApplication", request, static (c, r, o) => c.SubmitApplicationAsync(r, o), cancellationToken).ConfigureAwait(false);
        if (_tracker is not null && response.Application is { } application)
        {
            await _tracker.RecordSubmittedAsync(BankId, application, Connection.TimeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public Task<GetApplicationResponse> GetApplicationAsync(GetApplicationRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync("GetApplication", request, static (c, r, o) => c.GetApplicationAsync(r, o), cancellationToken);

    /// <summary>Idempotent per the contract, so retried.</summary>
    public Task<WithdrawApplicationResponse> WithdrawApplicationAsync(WithdrawApplicationRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync("WithdrawApplication", request, static (c, r, o) => c.WithdrawApplicationAsync(r, o), cancellationToken);

    public Task<QuoteFinancingResponse> QuoteFinancingAsync(QuoteFinancingRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync("QuoteFinancing", request, static (c, r, o) => c.QuoteFinancingAsync(r, o), cancellationToken);

    /// <summary>
    /// Streams profiles in chunks of <see cref="BankConnectionOptions.BulkChunkSize"/>, one StreamCreditProfiles call per chunk,
    /// awaiting every write (back-pressure). <paramref name="profiles"/> is read once and only the current chunk is buffered.
    /// A chunk whose stream fails is re-sent whole on a new stream under the retry policy (safe: upserts are versioned), with
    /// the per-chunk deadline of <c>StreamCreditProfiles</c>; when its retries are spent the exception surfaces and later
    /// chunks are not sent.
    /// </summary>
    public async Task<BulkPushResult> PushCreditProfilesAsync(IAsyncEnumerable<CreditProfile> profiles, IProgress<BulkPushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var chunkSize = Connection.Options.BulkChunkSize;
        var state = new BulkState(progress);
        var chunk = new List<CreditProfile>(Math.Min(chunkSize, 4096));
        await foreach (var profile in profiles.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(profile);
            if (chunk.Count == chunkSize)
            {
                await PushChunkAsync(chunk, state, cancellationToken).ConfigureAwait(false);
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            await PushChunkAsync(chunk, state, cancellationToken).ConfigureAwait(false);
        }

        return new BulkPushResult
        {
            Applied = state.Applied,
            Stale = state.Stale,
            AppliedByEarlierAttempt = state.AppliedByEarlierAttempt,
            Rejected = state.Rejected,
            Rejections = state.Rejections,
            Attempts = state.Attempts,
            Chunks = state.Chunks,
        };
    }

    internal static string NewRequestId(TimeProvider time)
    {
        // ULID-shaped: 48-bit millisecond time then 80 random bits, Crockford base32; sorts by time and fits [A-Za-z0-9._:-]{1,64}.
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var value = ((UInt128)(ulong)time.GetUtcNow().ToUnixTimeMilliseconds() << 80)
            | (System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(random) & ((UInt128.One << 80) - 1));
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = RequestIdAlphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }

    private async Task PushChunkAsync(List<CreditProfile> chunk, BulkState state, CancellationToken cancellationToken)
    {
        var offset = state.Offset;
        var attempt = 0;
        var response = await ExecuteAsync("StreamCreditProfiles", async options =>
        {
            attempt++;
            state.Attempts++;
            using var call = CreditData.StreamCreditProfiles(options);
            try
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    await call.RequestStream.WriteAsync(new StreamCreditProfilesRequest { Profile = chunk[i] }).ConfigureAwait(false);
                    state.Written(offset + i + 1);
                }

                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not RpcException)
            {
                // A write fails when the server already ended the call; its status says why (and decides the retry).
                await call.ResponseAsync.ConfigureAwait(false);
                throw;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !options.CancellationToken.IsCancellationRequested)
            {
                throw StreamLost(e);
            }

            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !options.CancellationToken.IsCancellationRequested)
            {
                throw StreamLost(e);
            }
        }, cancellationToken).ConfigureAwait(false);

        state.Chunks++;
        state.Applied += response.AppliedCount;
        if (attempt == 1)
        {
            state.Stale += response.StaleCount;
        }
        else
        {
            state.AppliedByEarlierAttempt += response.StaleCount;
        }

        state.Rejected += response.RejectedCount;
        foreach (var rejection in response.Rejections)
        {
            var mapped = rejection.Clone();
            mapped.Index = offset + rejection.Index;
            state.Rejections.Add(mapped);
        }

        state.Offset = offset + chunk.Count;
        state.Acknowledge(state.Offset);
    }

    private Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string method,
        TRequest request,
        Func<LoanApplicationsService.LoanApplicationsServiceClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>> call,
        CancellationToken cancellationToken)
        where TRequest : class
        => ExecuteAsync(method, async options =>
        {
            using var pending = call(LoanApplications, request, options);
            return await pending.ResponseAsync.ConfigureAwait(false);
        }, cancellationToken);

    private Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string method,
        TRequest request,
        Func<CreditDataService.CreditDataServiceClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>> call,
        CancellationToken cancellationToken)
        where TRequest : class
        => ExecuteAsync(method, async options =>
        {
            using var pending = call(CreditData, request, options);
            return await pending.ResponseAsync.ConfigureAwait(false);
        }, cancellationToken);

    private async Task<TResponse> ExecuteAsync<TResponse>(string method, Func<CallOptions, Task<TResponse>> attempt, CancellationToken cancellationToken)
    {
        var time = Connection.TimeProvider;
        var deadline = Connection.DeadlineFor(method);
        var deadlineAt = time.GetUtcNow() + deadline;
        using var deadlineCts = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineCts.Token);
        var context = ResilienceContextPool.Shared.Get(method, linked.Token);
        context.Properties.Set(BankConnection.Retryable, true);
        var attempts = 0;
        try
        {
            return await Connection.Pipeline.ExecuteAsync(async ctx =>
            {
                attempts++;
                var remaining = deadlineAt - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    throw DeadlineSpent(method, deadline, attempts - 1);
                }

                // Each attempt gets what is left of the call's deadline, so retries never stretch the call beyond it.
                var options = new CallOptions(deadline: time.GetUtcNow().UtcDateTime + remaining, cancellationToken: ctx.CancellationToken);
                return await attempt(options).ConfigureAwait(false);
            }, context).ConfigureAwait(false);
        }
        catch (Exception e) when (deadlineCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded })
        {
            throw DeadlineSpent(method, deadline, attempts);
        }
        catch (BrokenCircuitException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The circuit breaker for bank '{BankId}' is open after repeated failures; {method} was not sent.", e));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // When the bank ends a stream while a write is in flight, the runtime can report CANCELLED before the bank's status
    // arrives. Neither the caller nor the deadline cancelled, so the stream was lost: report it as UNAVAILABLE so the
    // chunk is re-sent, which versioned upserts make safe.
    private static RpcException StreamLost(RpcException e)
        => new(new Status(StatusCode.Unavailable, "The bank ended the profile stream while it was being written: " + e.Status.Detail, e.Status.DebugException), e.Trailers);

    private static RpcException DeadlineSpent(string method, TimeSpan deadline, int attempts)
        => new(new Status(StatusCode.DeadlineExceeded, $"{method} did not complete within its deadline of {deadline.TotalMilliseconds:0} ms ({attempts} attempt(s))."));

    private sealed class BulkState(IProgress<BulkPushProgress>? progress)
    {
        private long _sent;
        private long _acknowledged;

        public long Offset { get; set; }

        public long Applied { get; set; }

        public long Stale { get; set; }

        public long AppliedByEarlierAttempt { get; set; }

        public long Rejected { get; set; }

        public List<ProfileRejection> Rejections { get; } = [];

        public int Attempts { get; set; }

        public int Chunks { get; set; }

        public void Written(long position)
        {
            if (position > _sent)
            {
                _sent = position;
                progress?.Report(new BulkPushProgress(_sent, _acknowledged));
            }
        }

        public void Acknowledge(long position)
        {
            _acknowledged = position;
            progress?.Report(new BulkPushProgress(_sent, _acknowledged));
        }
    }
}
