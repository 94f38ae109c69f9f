namespace ConnectorKit.Client.Tracking;

/// <summary>Read side of application tracking: one application's timeline, and how fast banks decide and pay out.</summary>
public interface IApplicationTimelines
{
    /// <summary>The timeline of the application <paramref name="bankId"/> holds under <paramref name="applicationId"/>, or null when not tracked.</summary>
    Task<ApplicationTimeline?> GetTimelineAsync(string bankId, string applicationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decision and money speed of the applications submitted in [<paramref name="submittedFrom"/>, <paramref name="submittedTo"/>),
    /// optionally of one bank. Null bounds are open.
    /// </summary>
    Task<ServiceLevelReport> GetServiceLevelReportAsync(DateTimeOffset? submittedFrom = null, DateTimeOffset? submittedTo = null, string? bankId = null, CancellationToken cancellationToken = default);
}

/// <summary>One application's history and the two durations the platform advertises.</summary>
public sealed class ApplicationTimeline
{
    public ApplicationTimeline(TrackedApplication application)
    {
        Application = application ?? throw new ArgumentNullException(nameof(application));
    }

    public TrackedApplication Application { get; }

    /// <summary>SUBMITTED at submit time, then one step per applied callback at its occurred_at.</summary>
    public IReadOnlyList<TimelineStep> Steps => Application.Timeline;

    /// <summary>Submitted → approved or rejected; null while undecided.</summary>
    public TimeSpan? TimeToDecision => Application.DecidedAt - Application.SubmittedAt;

    /// <summary>Submitted → first paid tranche (its paid_at); null before any money arrived.</summary>
    public TimeSpan? TimeToMoney => Application.FirstMoneyAt - Application.SubmittedAt;

    /// <summary>Whether the decision came within <see cref="ServiceLevels.DecisionWorkingDays"/> working days; null while undecided.</summary>
    public bool? DecidedWithinServiceLevel => Application.DecidedAt is { } decided ? decided <= ServiceLevels.DecisionDeadline(Application.SubmittedAt) : null;

    /// <summary>Whether the first money came within <see cref="ServiceLevels.MoneyWithin"/>; null before any money arrived.</summary>
    public bool? MoneyWithinServiceLevel => TimeToMoney is { } money ? money <= ServiceLevels.MoneyWithin : null;
}

/// <summary>Count, median, 95th percentile and share within the advertised level of one duration.</summary>
/// <param name="Count">Applications that reached the milestone; the others are not in the figures.</param>
/// <param name="Median">Middle value (mean of the two middle ones for an even count); null when <paramref name="Count"/> is 0.</param>
/// <param name="P95">95th percentile by the nearest-rank method; null when <paramref name="Count"/> is 0.</param>
/// <param name="ShareWithinServiceLevel">0..1; null when <paramref name="Count"/> is 0.</param>
public sealed record DurationSummary(int Count, TimeSpan? Median, TimeSpan? P95, int WithinServiceLevel, double? ShareWithinServiceLevel);

/// <summary>How fast banks decided and paid out for a set of applications.</summary>
/// <param name="Applications">Applications in the report, whatever their state.</param>
public sealed record ServiceLevelReport(int Applications, DurationSummary TimeToDecision, DurationSummary TimeToMoney)
{
    /// <summary>Builds the report from timelines already loaded.</summary>
    public static ServiceLevelReport Create(IEnumerable<ApplicationTimeline> timelines)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        var list = timelines.ToList();
        return new ServiceLevelReport(
            list.Count,
            Summarise(list.Where(t => t.TimeToDecision is not null).Select(t => (t.TimeToDecision!.Value, t.DecidedWithinServiceLevel!.Value))),
            Summarise(list.Where(t => t.TimeToMoney is not null).Select(t => (t.TimeToMoney!.Value, t.MoneyWithinServiceLevel!.Value))));
    }

    private static DurationSummary Summarise(IEnumerable<(TimeSpan Duration, bool Within)> values)
    {
        var items = values.ToList();
        if (items.Count == 0)
        {
            return new DurationSummary(0, null, null, 0, null);
        }

        var sorted = items.Select(i => i.Duration).Order().ToArray();
        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : TimeSpan.FromTicks((sorted[(n / 2) - 1].Ticks + sorted[n / 2].Ticks) / 2);
        var p95 = sorted[(int)Math.Ceiling(0.95 * n) - 1];
        var within = items.Count(i => i.Within);
        return new DurationSummary(n, median, p95, within, (double)within / n);
    }
}

/// <summary>The service levels the platform advertises to enterprises.</summary>
public static class ServiceLevels
{
    /// <summary>A decision within 5 working days of submission.</summary>
    public const int DecisionWorkingDays = 5;

    /// <summary>Money within 48 hours of submission.</summary>
    public static readonly TimeSpan MoneyWithin = TimeSpan.FromHours(48);

    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>
    /// The latest decision time that still meets the level: <see cref="DecisionWorkingDays"/> working days (Monday to
    /// Friday in China Standard Time, UTC+8) after <paramref name="submittedAt"/>; a weekend submission counts from the
    /// following Monday 00:00. Public holidays and make-up working days are not modelled.
    /// </summary>
    public static DateTimeOffset DecisionDeadline(DateTimeOffset submittedAt)
    {
        var local = submittedAt.ToOffset(ChinaStandardTime);
        var days = DecisionWorkingDays;
        var weekendStart = IsWeekend(local);
        if (weekendStart)
        {
            while (IsWeekend(local))
            {
                local = local.AddDays(1);
            }

            // From Monday 00:00 the fifth working day ends at Saturday 00:00: four steps to Friday 00:00, then that whole day.
            local = new DateTimeOffset(local.Date, ChinaStandardTime);
            days--;
        }

        for (var added = 0; added < days;)
        {
            local = local.AddDays(1);
            if (!IsWeekend(local))
            {
                added++;
            }
        }

        return (weekendStart ? local.AddDays(1) : local).ToUniversalTime();
    }

    private static bool IsWeekend(DateTimeOffset local) => local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
}
