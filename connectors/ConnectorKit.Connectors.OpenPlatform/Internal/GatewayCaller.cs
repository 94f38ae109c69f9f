using ConnectorKit.Grpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>
/// Runs one logical operation as one or more signed calls, each with its own msg_id: calls the bank may see twice
/// without harm are simply repeated; a submit whose outcome is unknown is first looked up by out_biz_no.
/// </summary>
internal sealed class GatewayCaller(
    IGatewayTransport transport,
    IOptions<OpenPlatformOptions> options,
    TimeProvider timeProvider,
    ILogger<GatewayCaller> logger)
{
    public const string SubmitMethod = "loan.apply.submit";
    public const string QueryMethod = "loan.apply.query";

    /// <summary>
    /// A call that is harmless to repeat (queries, quotes, upserts by version, revocations, cancellations). Returns
    /// a success or a business refusal (the caller reads its code).
    /// </summary>
    /// <exception cref="RpcException">Every attempt failed, or one failed for good; the last failure's status.</exception>
    public async Task<GatewayAttempt> CallAsync(string method, string bizContent, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            var result = await transport.SendAsync(method, bizContent, cancellationToken).ConfigureAwait(false);
            if (result.Outcome is AttemptOutcome.Success or AttemptOutcome.Business)
            {
                return result;
            }

            if (result.Outcome == AttemptOutcome.Final || attempt >= max || !await PauseAsync(result, attempt, cancellationToken).ConfigureAwait(false))
            {
                throw result.Error!;
            }
        }
    }

    /// <summary>
    /// Files an application once. An unknown outcome (return_code below 0, time-out, broken or unverifiable answer)
    /// is looked up with loan.apply.query: found counts as filed, not found is submitted again, and a lookup that
    /// fails ends the operation with the submit's own failure, leaving the platform's retry to look again.
    /// </summary>
    public async Task<GatewayAttempt> SubmitAsync(string outBizNo, string bizContent, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            var result = await transport.SendAsync(SubmitMethod, bizContent, cancellationToken).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case AttemptOutcome.Success or AttemptOutcome.Business:
                    return result;
                case AttemptOutcome.Final:
                    throw result.Error!;
                case AttemptOutcome.NotProcessed:
                    if (attempt >= max || !await PauseAsync(result, attempt, cancellationToken).ConfigureAwait(false))
                    {
                        throw result.Error!;
                    }

                    continue;
            }

            logger.LogWarning("Outcome of {Method} for {OutBizNo} unknown (msg_id {MsgId}); querying before any retry", SubmitMethod, outBizNo, result.MsgId);
            GatewayAttempt query;
            try
            {
                query = await CallAsync(QueryMethod, BizContent.Query(outBizNo), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                logger.LogWarning("Query of {OutBizNo} failed ({Status}); the submit's outcome stays unknown", outBizNo, e.StatusCode);
                throw result.Error!;
            }

            if (query.Outcome == AttemptOutcome.Success)
            {
                logger.LogInformation("The bank holds {OutBizNo} after an unknown outcome; not submitting again", outBizNo);
                return query;
            }

            if (query.ReturnCode != ReturnCodes.NotFound)
            {
                throw query.Error!;
            }

            if (attempt >= max || !await PauseAsync(result, attempt, cancellationToken).ConfigureAwait(false))
            {
                throw result.Error!;
            }

            logger.LogInformation("The bank does not hold {OutBizNo}; submitting again", outBizNo);
        }
    }

    private async Task<bool> PauseAsync(GatewayAttempt result, int attempt, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var delay = result.RetryAfter ?? TimeSpan.FromTicks(o.RetryDelay.Ticks * (1L << Math.Min(attempt - 1, 10)));
        if (delay > o.MaxRetryAfter)
        {
            return false;
        }

        await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
