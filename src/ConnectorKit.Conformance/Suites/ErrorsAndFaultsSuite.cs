using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>
/// The bank's faults reach the platform as UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED, store nothing,
/// and never leave a duplicate at the bank: the platform's retry after the fault creates the application once.
/// </summary>
[SuiteCategory(ConformanceCategory.ErrorsAndFaults)]
public class ErrorsAndFaultsSuite : ContractSuite
{
    [ConformanceCase("CK-ERR-001", "the bank answering 503 is UNAVAILABLE; the retry creates one application at the bank", Rule = "design: Errors", NeedsBankJournal = true, Exclusive = true, Requires = ConnectorCapabilities.OnlineSubmission)]
    public virtual Task ServiceUnavailable() => FaultThenRetryAsync(BankFault.ServiceUnavailable, StatusCode.Unavailable, StatusCode.Unavailable);

    [ConformanceCase("CK-ERR-002", "the bank answering 429 is RESOURCE_EXHAUSTED or UNAVAILABLE; the retry creates one application", Rule = "design: Errors", NeedsBankJournal = true, Exclusive = true, Requires = ConnectorCapabilities.OnlineSubmission)]
    public virtual Task TooManyRequests() => FaultThenRetryAsync(BankFault.TooManyRequests, StatusCode.ResourceExhausted, StatusCode.Unavailable);

    [ConformanceCase("CK-ERR-003", "a connection reset by the bank is UNAVAILABLE; the retry creates one application", Rule = "design: Errors", NeedsBankJournal = true, Exclusive = true, Requires = ConnectorCapabilities.OnlineSubmission)]
    public virtual Task ConnectionReset() => FaultThenRetryAsync(BankFault.ConnectionReset, StatusCode.Unavailable, StatusCode.Unavailable);

    [ConformanceCase("CK-ERR-004", "garbage from the bank is UNAVAILABLE, never success; the retry creates one application", Rule = "design: Errors", NeedsBankJournal = true, Exclusive = true, Requires = ConnectorCapabilities.OnlineSubmission)]
    public virtual Task RandomData() => FaultThenRetryAsync(BankFault.RandomDataThenClose, StatusCode.Unavailable, StatusCode.Unavailable);

    [ConformanceCase("CK-ERR-005", "a bank slower than the deadline is DEADLINE_EXCEEDED or UNAVAILABLE; the retry creates one application", Rule = "design: Errors", NeedsBankJournal = true, Exclusive = true, Requires = ConnectorCapabilities.OnlineSubmission)]
    public virtual Task Slow() => FaultThenRetryAsync(BankFault.DelayBeyondDeadline, StatusCode.DeadlineExceeded, StatusCode.Unavailable);

    private async Task FaultThenRetryAsync(BankFault fault, StatusCode expected, StatusCode alsoAccepted)
    {
        if (Target.Faults is null)
        {
            Skip("the target cannot inject faults");
        }

        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);
        await Target.Faults!.InjectAsync(BankOperation.Submit, fault, CancellationToken).ConfigureAwait(false);
        StatusCode got;
        try
        {
            await SubmitAsync(request).ConfigureAwait(false);
            got = StatusCode.OK;
        }
        catch (RpcException ex)
        {
            got = ex.StatusCode;
        }
        finally
        {
            await Target.Faults.ClearAsync(CancellationToken).ConfigureAwait(false);
        }

        Require(got == expected || got == alsoAccepted, $"With the bank failing ({fault}) the submit ended {got.ToWireName()}; expected {expected.ToWireName()}{(alsoAccepted != expected ? " or " + alsoAccepted.ToWireName() : string.Empty)}.");

        var application = await SubmitAsync(request).ConfigureAwait(false);
        var again = await SubmitAsync(request).ConfigureAwait(false);
        Require(application.ApplicationId == again.ApplicationId, "Two submits after the fault answered different applications.");
        Require(application.State == ApplicationState.Submitted, $"After the fault the retry answered {application.State.ToContractName()}.");
        var submissions = await Target.Journal!.CountSubmissionsAsync(application.ApplicationId, CancellationToken).ConfigureAwait(false);
        Require(submissions == 1, $"After {fault} and the platform's retry the bank holds {submissions} submissions of {application.ApplicationId}; it must hold one.");
    }
}
