using System.Diagnostics;
using System.Reflection;
using ConnectorKit.Conformance.Reports;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Running;

/// <summary>Runs cases against one target and reports every result, with reasons and evidence.</summary>
public sealed class ConformanceRunner
{
    private readonly IReadOnlyList<ConformanceCase> _cases;
    private readonly TimeProvider _time;

    /// <param name="cases">The cases to choose from; by default every case of this assembly.</param>
    public ConformanceRunner(IReadOnlyList<ConformanceCase>? cases = null, TimeProvider? timeProvider = null)
    {
        _cases = cases ?? ConformanceCase.Discover(typeof(ConformanceRunner).Assembly);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The version every report carries: this assembly's informational version.</summary>
    public static string SuiteVersion { get; } =
        typeof(ConformanceRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ConformanceRunner).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public IReadOnlyList<ConformanceCase> Cases => _cases;

    /// <summary>The cases a filter selects (see <see cref="ConformanceRunOptions.Filter"/>).</summary>
    public IReadOnlyList<ConformanceCase> Select(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return _cases;
        }

        var patterns = filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return _cases.Where(c => patterns.Any(p => Matches(c, p))).ToList();
    }

    public async Task<ConformanceReport> RunAsync(IConformanceTarget target, ConformanceRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new ConformanceRunOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1);
        var startedAt = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var selected = Select(options.Filter);
        var errors = new List<string>();
        if (selected.Count == 0)
        {
            errors.Add($"The filter '{options.Filter}' selects no case.");
        }

        foreach (var expectation in options.Expectations.Entries.Where(e => !_cases.Any(c => e.Matches(c.Id))))
        {
            errors.Add($"The expectation for '{expectation.Case}' matches no case of suite {SuiteVersion}; remove it or fix the id.");
        }

        var results = new CaseResult[selected.Count];
        var parallel = selected.Select((c, i) => (Case: c, Index: i)).Where(x => !x.Case.Attribute.Exclusive).ToList();
        var exclusive = selected.Select((c, i) => (Case: c, Index: i)).Where(x => x.Case.Attribute.Exclusive).ToList();

        await Parallel.ForEachAsync(
            parallel,
            new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (item, ct) => results[item.Index] = await RunCaseAsync(target, item.Case, options, ct).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var item in exclusive)
        {
            results[item.Index] = await RunCaseAsync(target, item.Case, options, cancellationToken).ConfigureAwait(false);
        }

        foreach (var result in results.Where(r => r.Outcome != ConformanceOutcome.Failed && options.Expectations.For(r.Id) is { Outcome: ExpectedOutcome.Fail }))
        {
            errors.Add($"{result.Id} was expected to fail but {result.Outcome.ToString().ToLowerInvariant()}; remove its expectation.");
        }

        return new ConformanceReport(SuiteVersion, target.Name, startedAt, clock.Elapsed, results, errors);
    }

    private async Task<CaseResult> RunCaseAsync(IConformanceTarget target, ConformanceCase @case, ConformanceRunOptions options, CancellationToken cancellationToken)
    {
        var attribute = @case.Attribute;
        var expectation = options.Expectations.For(@case.Id);
        CaseResult Result(ConformanceOutcome outcome, string reason, TimeSpan duration, IReadOnlyList<EvidenceEntry> evidence) => new(
            @case.Id, attribute.Title, attribute.Rule, @case.Category, @case.Suite.Name, outcome, reason, duration, evidence,
            ExpectedFailure: outcome == ConformanceOutcome.Failed && expectation?.Outcome == ExpectedOutcome.Fail);

        CaseResult result;
        var missing = attribute.Requires & ~target.Capabilities;
        if (expectation is { Outcome: ExpectedOutcome.Skip })
        {
            result = Result(ConformanceOutcome.Skipped, "expected skip: " + expectation.Reason, TimeSpan.Zero, []);
        }
        else if (missing != 0)
        {
            result = Result(ConformanceOutcome.Skipped, $"the target does not declare {missing}", TimeSpan.Zero, []);
        }
        else if (attribute.NeedsBankJournal && target.Journal is null)
        {
            result = Result(ConformanceOutcome.Skipped, "needs the bank-side request journal, which only connector mode has", TimeSpan.Zero, []);
        }
        else
        {
            result = await ExecuteAsync(target, @case, options.CaseTimeout, Result, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == ConformanceOutcome.Failed && expectation is { Outcome: ExpectedOutcome.Fail })
            {
                result = result with { Reason = $"{result.Reason} (expected: {expectation.Reason})" };
            }
        }

        options.OnCaseCompleted?.Invoke(result);
        return result;
    }

    private static async Task<CaseResult> ExecuteAsync(
        IConformanceTarget target,
        ConformanceCase @case,
        TimeSpan timeout,
        Func<ConformanceOutcome, string, TimeSpan, IReadOnlyList<EvidenceEntry>, CaseResult> result,
        CancellationToken cancellationToken)
    {
        var evidence = new EvidenceLog();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var context = new CaseContext(target, target.CallInvoker.Intercept(new EvidenceInterceptor(evidence)), evidence, timeoutSource.Token);
        var suite = (ConformanceSuite)Activator.CreateInstance(@case.Suite)!;
        suite.Context = context;
        var clock = Stopwatch.StartNew();
        try
        {
            await @case.InvokeAsync(suite).WaitAsync(timeout + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            var warnings = context.Warnings;
            return warnings.Count == 0
                ? result(ConformanceOutcome.Passed, string.Empty, clock.Elapsed, evidence.ToList())
                : result(ConformanceOutcome.Warning, string.Join(" ", warnings), clock.Elapsed, evidence.ToList());
        }
        catch (ConformanceSkippedException ex)
        {
            return result(ConformanceOutcome.Skipped, ex.Message, clock.Elapsed, evidence.ToList());
        }
        catch (ConformanceFailedException ex)
        {
            return result(ConformanceOutcome.Failed, ex.Message, clock.Elapsed, evidence.ToList());
        }
        catch (Exception ex) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return result(ConformanceOutcome.Failed, $"did not finish within {timeout.TotalSeconds:0} s ({ex.GetType().Name}).", clock.Elapsed, evidence.ToList());
        }
        catch (RpcException ex)
        {
            return result(ConformanceOutcome.Failed, $"unexpected {ex.StatusCode.ToWireName()}: {ex.Status.Detail}", clock.Elapsed, evidence.ToList());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return result(ConformanceOutcome.Failed, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed, evidence.ToList());
        }
    }

    private static bool Matches(ConformanceCase @case, string pattern)
    {
        if (Enum.TryParse<ConformanceCategory>(pattern, ignoreCase: true, out var category))
        {
            return @case.Category == category;
        }

        return pattern.EndsWith('*')
            ? @case.Id.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(@case.Id, pattern, StringComparison.OrdinalIgnoreCase);
    }
}
