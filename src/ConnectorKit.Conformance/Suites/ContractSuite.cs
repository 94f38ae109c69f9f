using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>
/// What the contract's cases share: clients on the recording call invoker, requests for fresh enterprises (so cases
/// running side by side never meet), a deadline on every call, and waits that fail with a reason instead of hanging.
/// </summary>
public abstract class ContractSuite : ConformanceSuite
{
    /// <summary>Deadline of each call a case makes.</summary>
    protected static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a case waits for the bank's callbacks.</summary>
    protected static readonly TimeSpan CallbackTimeout = TimeSpan.FromSeconds(30);

    protected CreditDataService.CreditDataServiceClient CreditData => new(Calls);

    protected LoanApplicationsService.LoanApplicationsServiceClient Applications => new(Calls);

    protected DateTime Deadline => DateTime.UtcNow + CallTimeout;

    /// <summary>A valid credit code no other case uses.</summary>
    protected static string NewCreditCode() => SampleData.CreditCode(Random.Shared.Next(1, int.MaxValue));

    protected Consent ConsentFor(string creditCode, ConsentScope scope) => SampleData.Consent(creditCode, scope, bankId: Target.BankId);

    protected CreditProfile ProfileFor(string creditCode, long version = 1) => SampleData.Profile(creditCode, version, ConsentFor(creditCode, ConsentScope.CreditProfile));

    protected SubmitApplicationRequest SubmitFor(string creditCode, long amountYuan = 5_000_000, int termMonths = 36)
    {
        var request = SampleData.Submit(creditCode, amountYuan: amountYuan, termMonths: termMonths);
        request.Consent = ConsentFor(creditCode, ConsentScope.LoanApplication);
        return request;
    }

    protected async Task<PushCreditProfileResponse> PushAsync(CreditProfile profile)
        => await CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);

    protected async Task<Application> SubmitAsync(SubmitApplicationRequest request)
        => (await Applications.SubmitApplicationAsync(request, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false)).Application;

    protected async Task<Application> GetAsync(string applicationId)
        => (await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = applicationId }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false)).Application;

    /// <summary>A fresh enterprise's profile pushed and its application submitted: the start of most flows.</summary>
    protected async Task<Application> NewApplicationAsync(long amountYuan = 5_000_000)
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        return await SubmitAsync(SubmitFor(code, amountYuan)).ConfigureAwait(false);
    }

    /// <summary>The application once its state is <paramref name="state"/>; fails saying the last state seen.</summary>
    protected async Task<Application> WaitForStateAsync(string applicationId, ApplicationState state)
    {
        var deadline = DateTime.UtcNow + CallbackTimeout;
        while (true)
        {
            var application = await GetAsync(applicationId).ConfigureAwait(false);
            if (application.State == state)
            {
                return application;
            }

            if (DateTime.UtcNow > deadline)
            {
                Fail($"Application {applicationId} stayed {application.State.ToContractName()}; expected {state.ToContractName()} within {CallbackTimeout.TotalSeconds:0} s of the bank's signal.");
            }

            await Task.Delay(100, CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The callbacks for the application once at least <paramref name="count"/> arrived; fails saying which did.</summary>
    protected async Task<IReadOnlyList<ReceivedCallback>> CallbacksAsync(string applicationId, int count)
    {
        try
        {
            var received = await Target.Callbacks.WaitForAsync(applicationId, count, CallbackTimeout, CancellationToken).ConfigureAwait(false);
            foreach (var callback in received)
            {
                Evidence($"callback {callback.Sequence}", $"{callback.Kind} event {callback.EventId}");
            }

            return received;
        }
        catch (TimeoutException ex)
        {
            Fail($"The platform did not receive the bank's callbacks: {ex.Message}");
            throw;
        }
    }

    /// <summary>Approves through the bank's driver, 1,000,000 CNY at 385 bp for 36 months unless told otherwise; fails if the target does not acknowledge it.</summary>
    protected async Task ApproveAsync(string applicationId, long amountYuan = 1_000_000)
        => RequireAcknowledged(await Target.Driver.ApproveAsync(applicationId, new BankApproval(amountYuan * 100, 385, 36), CancellationToken).ConfigureAwait(false), "the bank's approval of " + applicationId);

    /// <summary>Pays a tranche through the bank's driver; fails if the target does not acknowledge it.</summary>
    protected async Task DisburseAsync(string applicationId, string trancheId, long amountFen)
        => RequireAcknowledged(await Target.Driver.DisburseAsync(applicationId, trancheId, amountFen, CancellationToken).ConfigureAwait(false), $"the bank's tranche {trancheId} of {applicationId}");

    private void RequireAcknowledged(SignalAnswer answer, string what)
    {
        Evidence("bank signal", $"{what}: {answer.Detail}");
        Require(answer.Acknowledged, $"The target did not acknowledge {what} ({answer.Detail}); the bank would deliver it again and again.");
    }

    /// <summary>The BadRequest field violations of an INVALID_ARGUMENT, failing when there are none.</summary>
    protected static IReadOnlyList<string> FieldsOf(RpcException error, string what)
    {
        var badRequest = error.GetDetail<BadRequest>();
        if (badRequest is null || badRequest.FieldViolations.Count == 0)
        {
            Fail($"{what}: INVALID_ARGUMENT must carry a google.rpc.BadRequest naming the field at fault; it carried none (message: \"{error.Status.Detail}\").");
        }

        return badRequest!.FieldViolations.Select(v => v.Field).ToList();
    }

    /// <summary>Fails unless <paramref name="fields"/> names <paramref name="expected"/> or one of its sub-fields.</summary>
    protected static void RequireField(IReadOnlyList<string> fields, string expected, string what)
        => Require(
            fields.Any(f => f == expected || f.StartsWith(expected + ".", StringComparison.Ordinal)),
            $"{what}: expected a BadRequest violation for '{expected}', got [{string.Join(", ", fields)}].");
}
