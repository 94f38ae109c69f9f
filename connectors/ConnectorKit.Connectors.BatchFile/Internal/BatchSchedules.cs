using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>
/// The connector's clocks: the daily cut-off at <see cref="BatchFileOptions.CutOffTime"/>, the inbox poll and the
/// retry of pending notifications. At start it finishes what a crash interrupted (sealed spools, pending
/// notifications) without waiting for the next cut-off.
/// </summary>
internal sealed class BatchSchedules(
    BatchCutOff cutOff,
    IBatchReturnFiles returnFiles,
    TransferNotifications notifications,
    IOptions<BatchFileOptions> options,
    TimeProvider time,
    ILogger<BatchSchedules> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.RunSchedules)
        {
            return;
        }

        try
        {
            await cutOff.RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Finishing an interrupted cut-off at start failed; the next cut-off retries it.");
        }

        await Task.WhenAll(
            Loop("cut-off", UntilNextCutOff, async ct => await cutOff.RunAsync(ct).ConfigureAwait(false), stoppingToken),
            Loop("inbox", () => o.InboxPollInterval, async ct => await returnFiles.RunAsync(ct).ConfigureAwait(false), stoppingToken),
            Loop("notifications", () => o.NotificationRetryInterval, async ct => await notifications.SendPendingAsync(ct).ConfigureAwait(false), stoppingToken)).ConfigureAwait(false);
    }

    private TimeSpan UntilNextCutOff()
    {
        var now = time.GetUtcNow().ToOffset(options.Value.BusinessUtcOffset);
        var next = new DateTimeOffset(now.Date + options.Value.CutOffTime, now.Offset);
        if (next <= now)
        {
            next = next.AddDays(1);
        }

        return next - now;
    }

    private async Task Loop(string name, Func<TimeSpan> wait, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        // The cut-off's first pass happens at its time; the others start with a pass, which finishes work a crash left.
        var first = name != "cut-off";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!first)
                {
                    await Task.Delay(wait(), time, stoppingToken).ConfigureAwait(false);
                }

                first = false;
                await work(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A file system or store fault: nothing was lost (spool and inbox are untouched), so try again next round.
                logger.LogError(ex, "The batch-file {Loop} pass failed; retrying at the next interval.", name);
            }
        }
    }
}
