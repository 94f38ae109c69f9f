using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Tracking;

/// <summary>
/// Records submitted applications in the <see cref="IPlatformStore"/> (so the callback receiver knows them) and answers
/// timeline and service-level queries. Thread-safe; register one per store.
/// </summary>
public sealed class ApplicationTracker(IPlatformStore store) : IApplicationTracker, IApplicationTimelines
{
    private readonly IPlatformStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <exception cref="ArgumentException">The bank id or the application id is empty, or the requested amount is not CNY.</exception>
    public async Task RecordSubmittedAsync(string bankId, Application application, DateTimeOffset submittedAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bankId);
        ArgumentNullException.ThrowIfNull(application);
        ArgumentException.ThrowIfNullOrEmpty(application.ApplicationId, nameof(application));
        if (application.RequestedAmount is { } amount && amount.CurrencyCode is not ("CNY" or ""))
        {
            throw new ArgumentException($"The requested amount is in {amount.CurrencyCode}; v1 tracks CNY only.", nameof(application));
        }

        var state = application.State is ApplicationState.Unspecified ? ApplicationState.Submitted : application.State;
        await _store.RecordSubmittedAsync(
            new TrackedApplication
            {
                BankId = bankId,
                ApplicationId = application.ApplicationId,
                CreditCode = application.EnterpriseCreditCode,
                Product = application.Product,
                RequestedAmountMinor = application.RequestedAmount?.UnitsMinor ?? 0,
                State = state,
                SubmittedAt = submittedAt.ToUniversalTime(),
                Timeline = [new TimelineStep(ApplicationState.Submitted, submittedAt.ToUniversalTime(), string.Empty)],
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApplicationTimeline?> GetTimelineAsync(string bankId, string applicationId, CancellationToken cancellationToken = default)
    {
        var application = await _store.GetAsync(bankId, applicationId, cancellationToken).ConfigureAwait(false);
        return application is null ? null : new ApplicationTimeline(application);
    }

    public async Task<ServiceLevelReport> GetServiceLevelReportAsync(DateTimeOffset? submittedFrom = null, DateTimeOffset? submittedTo = null, string? bankId = null, CancellationToken cancellationToken = default)
    {
        var applications = await _store.ListAsync(bankId, submittedFrom, submittedTo, cancellationToken).ConfigureAwait(false);
        return ServiceLevelReport.Create(applications.Select(a => new ApplicationTimeline(a)));
    }
}
