using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>Calls without credentials are refused; a platform sees only its own applications; errors do not echo personal data.</summary>
[SuiteCategory(ConformanceCategory.Security)]
public class SecuritySuite : ContractSuite
{
    [ConformanceCase("CK-SEC-001", "a call without credentials is UNAUTHENTICATED", Rule = "design: authentication")]
    public virtual async Task AnonymousRefused()
    {
        if (Target.Anonymous is null)
        {
            Skip("the target is configured without platform credentials, so there is nothing to withhold");
        }

        var anonymous = new LoanApplicationsService.LoanApplicationsServiceClient(Target.Anonymous!);

        await ExpectStatusAsync(StatusCode.Unauthenticated, "GetApplication without credentials", () => anonymous.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-ZZZZZZZZZZZZZZZZZZZZZZZZZ" }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync).ConfigureAwait(false);
    }

    [ConformanceCase("CK-SEC-002", "another platform's application is NOT_FOUND, for reads and withdrawals", Rule = "design: tenancy")]
    public virtual async Task OtherPlatformSeesNothing()
    {
        if (Target.OtherPlatform is null)
        {
            Skip("the target knows one platform only; give it a second platform's credentials to check tenancy");
        }

        var application = await NewApplicationAsync().ConfigureAwait(false);
        var other = new LoanApplicationsService.LoanApplicationsServiceClient(Target.OtherPlatform!);

        await ExpectStatusAsync(StatusCode.NotFound, "GetApplication of another platform's application", () => other.GetApplicationAsync(new GetApplicationRequest { ApplicationId = application.ApplicationId }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync).ConfigureAwait(false);
        await ExpectStatusAsync(StatusCode.NotFound, "WithdrawApplication of another platform's application", () => other.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = application.ApplicationId }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync).ConfigureAwait(false);
        var own = await GetAsync(application.ApplicationId).ConfigureAwait(false);
        Require(own.State == ApplicationState.Submitted, $"After another platform tried to withdraw it, the application is {own.State.ToContractName()}.");
    }

    [ConformanceCase("CK-SEC-003", "an error about an enterprise does not echo its full credit code or phone number", Rule = "design: personal data never leaves unmasked")]
    public virtual async Task ErrorsDoNotEchoPersonalData()
    {
        var code = NewCreditCode();
        var request = SubmitFor(code);
        request.Contact.Phone = "13912345678";
        request.Consent.GranteeBankId = Target.BankId + "-other";

        RpcException? error = null;
        try
        {
            await Applications.SubmitApplicationAsync(request, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            error = ex;
        }

        Require(error is not null, "A submit under a consent for another bank succeeded.");
        var text = error!.Status.Detail + " " + string.Join(" ", error.Trailers.Select(t => t.IsBinary ? Convert.ToBase64String(t.ValueBytes) : t.Value));
        Require(!text.Contains(code, StringComparison.Ordinal), "The error message or its details contain the enterprise's full credit code.");
        Require(!text.Contains("13912345678", StringComparison.Ordinal), "The error message or its details contain the contact's full phone number.");
    }
}
