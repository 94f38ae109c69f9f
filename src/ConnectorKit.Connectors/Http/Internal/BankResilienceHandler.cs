using Polly;
using Polly.Timeout;

namespace ConnectorKit.Connectors.Http.Internal;

/// <summary>
/// Sends a bank request through its client's pipeline: total time-out, retries of safe requests only, circuit
/// breaker, per-attempt time-out, then the rate limiter in front of each attempt.
/// </summary>
internal sealed class BankResilienceHandler(BankResilience resilience, string name) : DelegatingHandler
{
    internal const string IdempotencyKeyHeader = "Idempotency-Key";

    internal static bool IsRetrySafe(HttpRequestMessage request)
    {
        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
            || method == HttpMethod.Put || method == HttpMethod.Delete)
        {
            return true;
        }

        return request.Headers.Contains(IdempotencyKeyHeader)
               || (request.Options.TryGetValue(BankHttpRequestOptions.Idempotent, out var idempotent) && idempotent);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var entry = resilience.Get(name);
        var retryable = IsRetrySafe(request);
        if (retryable && request.Content is not null)
        {
            // A retry resends the same content, so a stream-backed body must be held in memory first.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BankResilience.Retryable, retryable);
        try
        {
            return await entry.Pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    if (state.entry.Limiter is { } limiter)
                    {
                        using var lease = await limiter.AcquireAsync(1, ctx.CancellationToken).ConfigureAwait(false);
                    }

                    return await state.self.SendAttemptAsync(state.request, ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                (self: this, entry, request)).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e) when (context.Properties.GetValue(BankResilience.TotalTimedOut, false))
        {
            throw new BankDeadlineExceededException(entry.TotalTimeout, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
}
