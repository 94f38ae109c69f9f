using ConnectorKit.Conformance.Running;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance;

/// <summary>
/// A group of cases. Each case is a method marked <see cref="ConformanceCaseAttribute"/> returning Task; it passes
/// by returning, and ends otherwise through <see cref="Fail"/>, <see cref="Skip"/> or an exception (reported as a
/// failure with the exception's message). Cases are virtual, so a target's own suite may refine one; a new instance
/// runs each case.
/// </summary>
public abstract class ConformanceSuite
{
    private CaseContext? _context;

    /// <summary>The system under test.</summary>
    protected IConformanceTarget Target => Context.Target;

    /// <summary>Cancelled when the case runs past its time-out or the run is stopped.</summary>
    protected CancellationToken CancellationToken => Context.CancellationToken;

    /// <summary>The target's contract, recording each call as evidence of this case.</summary>
    protected CallInvoker Calls => Context.Calls;

    internal CaseContext Context
    {
        get => _context ?? throw new InvalidOperationException("A suite runs only inside the conformance runner.");
        set => _context = value;
    }

    /// <summary>Ends the case as failed with a reason a bank's engineer can act on: what was expected, what came.</summary>
    protected static void Fail(string reason) => throw new ConformanceFailedException(reason);

    /// <summary>Ends the case as skipped.</summary>
    protected static void Skip(string reason) => throw new ConformanceSkippedException(reason);

    /// <summary>Fails with <paramref name="reason"/> unless <paramref name="condition"/> holds.</summary>
    protected static void Require(bool condition, string reason)
    {
        if (!condition)
        {
            Fail(reason);
        }
    }

    /// <summary>Notes something the bank should look at; a case that passes with a warning is reported as a warning.</summary>
    protected void Warn(string reason) => Context.Warnings.Add(reason);

    /// <summary>Adds a labelled excerpt to the case's evidence; mask secrets and personal data before calling.</summary>
    protected void Evidence(string label, string text) => Context.Evidence.Add(label, text);

    /// <summary>
    /// Runs <paramref name="call"/> and returns the RpcException it must throw with <paramref name="expected"/>;
    /// fails saying what came instead.
    /// </summary>
    protected static async Task<RpcException> ExpectStatusAsync(StatusCode expected, string what, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == expected)
        {
            return ex;
        }
        catch (RpcException ex)
        {
            throw new ConformanceFailedException($"{what}: expected {expected.ToWireName()}, got {ex.StatusCode.ToWireName()} (\"{ex.Status.Detail}\").");
        }

        throw new ConformanceFailedException($"{what}: expected {expected.ToWireName()}, but the call succeeded.");
    }
}

/// <summary>Thrown by <see cref="ConformanceSuite"/>.Fail; the runner reports the message as the reason.</summary>
public sealed class ConformanceFailedException(string reason) : Exception(reason);

/// <summary>Thrown by <see cref="ConformanceSuite"/>.Skip; the runner reports the message as the reason.</summary>
public sealed class ConformanceSkippedException(string reason) : Exception(reason);
