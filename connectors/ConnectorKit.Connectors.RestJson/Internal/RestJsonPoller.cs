using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>
/// Catches up when a webhook never comes: every interval, reads each open application from the bank and applies what
/// changed with the webhook's business keys, so whichever of the two arrives second is a duplicate.
/// </summary>
internal sealed partial class RestJsonPoller(
    IOptions<RestJsonOptions> options,
    IConnectorKitStore store,
    RestJsonBankApi api,
    RestJsonSignals signals,
    TimeProvider timeProvider,
    ILogger<RestJsonPoller> logger) : BackgroundService
{
    private static readonly ApplicationState[] OpenStates =
    [
        ApplicationState.Submitted, ApplicationState.UnderReview, ApplicationState.MoreInfoRequired,
        ApplicationState.Approved, ApplicationState.Disbursed,
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var polling = options.Value.Polling;
        if (!polling.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(polling.Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One round over every open application; a failure on one is logged and the round goes on.</summary>
    internal async Task PollOnceAsync(CancellationToken ct)
    {
        foreach (var state in OpenStates)
        {
            IReadOnlyList<StoredApplication> open;
            try
            {
                open = await store.ListApplicationsAsync(state, options.Value.Polling.BatchSize, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStoreFailed(logger, e);
                return;
            }

            foreach (var application in open)
            {
                try
                {
                    var remote = await api.GetApplicationAsync(application.ApplicationId, ct).ConfigureAwait(false);
                    if (remote is not null)
                    {
                        await signals.ApplySnapshotAsync(application.State, remote with { ExternalId = application.ApplicationId }, ct).ConfigureAwait(false);
                    }
                }
                catch (RpcException e)
                {
                    LogPollFailed(logger, application.ApplicationId, e.StatusCode, e.Status.Detail);
                }
            }
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Polling {ApplicationId} failed: {Code} {Detail}")]
    private static partial void LogPollFailed(ILogger logger, string applicationId, StatusCode code, string detail);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Polling could not list open applications.")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
