using ConnectorKit.Connectors;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Tests.Running;

/// <summary>Suites whose cases end in a known way, to check what the runner makes of each ending.</summary>
[SuiteCategory(ConformanceCategory.Idempotency)]
public sealed class ScriptedSuite : ConformanceSuite
{
    [ConformanceCase("T-PASS-001", "returns normally", Rule = "rule.pass")]
    public Task Passes()
    {
        Evidence("request", "credit code 91310110666007217T, phone 13812345678, Authorization: Bearer abcdefghijklmnop1234");
        return Task.CompletedTask;
    }

    [ConformanceCase("T-FAIL-001", "fails with a reason", Rule = "rule.fail")]
    public Task Fails()
    {
        Fail("expected the bank to see one submission, it saw 2");
        return Task.CompletedTask;
    }

    [ConformanceCase("T-WARN-001", "passes with a warning")]
    public Task Warns()
    {
        Warn("p99 was 900 ms");
        return Task.CompletedTask;
    }

    [ConformanceCase("T-SKIP-001", "skips itself")]
    public Task SkipsItself()
    {
        Skip("nothing to check here");
        return Task.CompletedTask;
    }

    [ConformanceCase("T-CAP-001", "needs quotes", Requires = ConnectorCapabilities.Quote)]
    public Task NeedsQuote() => Task.CompletedTask;

    [ConformanceCase("T-JOURNAL-001", "needs the journal", NeedsBankJournal = true)]
    public Task NeedsJournal() => Task.CompletedTask;

    [ConformanceCase("T-THROW-001", "throws an unexpected status")]
    public Task Throws() => throw new RpcException(new Status(StatusCode.Internal, "boom"));

    [ConformanceCase("T-STATUS-001", "expects INVALID_ARGUMENT but the call succeeds")]
    public async Task ExpectsStatus() => await ExpectStatusAsync(StatusCode.InvalidArgument, "SubmitApplication with an empty request_id", () => Task.CompletedTask);

    [ConformanceCase("T-SLOW-001", "never ends")]
    public Task Hangs() => Task.Delay(Timeout.Infinite, CancellationToken);
}

[SuiteCategory(ConformanceCategory.Callbacks)]
public sealed class ExclusiveSuite : ConformanceSuite
{
    public static int Running;
    public static int MaxSeenWithOthers;

    [ConformanceCase("T-EXCL-001", "runs alone", Exclusive = true)]
    public async Task RunsAlone()
    {
        Interlocked.Increment(ref Running);
        await Task.Delay(50, CancellationToken);
        MaxSeenWithOthers = Math.Max(MaxSeenWithOthers, Volatile.Read(ref Running));
        Interlocked.Decrement(ref Running);
    }

    [ConformanceCase("T-PAR-001", "runs with others")]
    public Task Parallel1() => Overlap();

    [ConformanceCase("T-PAR-002", "runs with others")]
    public Task Parallel2() => Overlap();

    private async Task Overlap()
    {
        Interlocked.Increment(ref Running);
        await Task.Delay(50, CancellationToken);
        Interlocked.Decrement(ref Running);
    }
}
