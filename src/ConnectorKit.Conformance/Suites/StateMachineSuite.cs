using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>SUBMITTED → UNDER_REVIEW → APPROVED | REJECTED | … ; APPROVED → DISBURSED → CLOSED, each step on the timeline.</summary>
[SuiteCategory(ConformanceCategory.StateMachine)]
public class StateMachineSuite : ContractSuite
{
    [ConformanceCase("CK-LOAN-001", "a submit answers SUBMITTED with a timeline entry, and GetApplication returns the same", Rule = "connectorkit.v1.Application")]
    public virtual async Task SubmitThenGet()
    {
        var submitted = await NewApplicationAsync().ConfigureAwait(false);

        var read = await GetAsync(submitted.ApplicationId).ConfigureAwait(false);

        Require(submitted.State == ApplicationState.Submitted, $"SubmitApplication answered {submitted.State.ToContractName()}; expected SUBMITTED.");
        Require(submitted.Timeline.Count >= 1 && submitted.Timeline[0].State == ApplicationState.Submitted, "The new application's timeline does not start with a SUBMITTED entry.");
        Require(read.ApplicationId == submitted.ApplicationId && read.RequestedAmount.Equals(submitted.RequestedAmount), "GetApplication returned a different application or amount than SubmitApplication answered.");
    }

    [ConformanceCase("CK-LOAN-002", "GetApplication of an unknown id is NOT_FOUND", Rule = "connectorkit.v1.LoanApplicationsService.GetApplication")]
    public virtual async Task UnknownIsNotFound()
        => await ExpectStatusAsync(StatusCode.NotFound, "GetApplication for an id never issued", () => GetAsync("APP-ZZZZZZZZZZZZZZZZZZZZZZZZZ")).ConfigureAwait(false);

    [ConformanceCase("CK-LOAN-003", "an application is withdrawn before the decision", Rule = "connectorkit.v1.LoanApplicationsService.WithdrawApplication", Requires = ConnectorCapabilities.Withdraw)]
    public virtual async Task WithdrawBeforeDecision()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);

        var withdrawn = await Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = application.ApplicationId, Reason = "found other financing" }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);

        Require(withdrawn.Application.State == ApplicationState.Withdrawn, $"WithdrawApplication answered {withdrawn.Application.State.ToContractName()}; expected WITHDRAWN.");
    }

    [ConformanceCase("CK-LOAN-004", "withdrawing after approval is FAILED_PRECONDITION and the loan stays approved", Rule = "connectorkit.v1.LoanApplicationsService.WithdrawApplication", Requires = ConnectorCapabilities.Withdraw)]
    public virtual async Task WithdrawAfterApproval()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);

        await ExpectStatusAsync(StatusCode.FailedPrecondition, "WithdrawApplication after approval", () => Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest { ApplicationId = application.ApplicationId }, deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync).ConfigureAwait(false);
        var after = await GetAsync(application.ApplicationId).ConfigureAwait(false);

        Require(after.State == ApplicationState.Approved, $"After the refused withdrawal the application is {after.State.ToContractName()}; it must stay APPROVED.");
    }

    [ConformanceCase("CK-LOAN-005", "an approval shows in GetApplication with its terms and a timeline entry", Rule = "connectorkit.v1.ApprovedTerms")]
    public virtual async Task ApprovalVisible()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);

        await ApproveAsync(application.ApplicationId, amountYuan: 1_200_000).ConfigureAwait(false);
        var approved = await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);

        Require(approved.ApprovedTerms?.Amount?.UnitsMinor == 120_000_000, $"Approved terms carry {approved.ApprovedTerms?.Amount?.UnitsMinor} fen; the bank approved 120000000 fen (1,200,000 CNY).");
        Require(approved.Timeline.Any(e => e.State == ApplicationState.Approved), "The timeline has no APPROVED entry.");
    }

    [ConformanceCase("CK-LOAN-006", "tranches add up in disbursed_total and move the application to DISBURSED", Rule = "connectorkit.v1.Application.disbursed_total", Requires = ConnectorCapabilities.PartialDisbursement)]
    public virtual async Task TranchesAddUp()
    {
        var application = await NewApplicationAsync().ConfigureAwait(false);
        await ApproveAsync(application.ApplicationId).ConfigureAwait(false);
        await WaitForStateAsync(application.ApplicationId, ApplicationState.Approved).ConfigureAwait(false);

        await DisburseAsync(application.ApplicationId, "T1-" + application.ApplicationId[^6..], 40_000_000).ConfigureAwait(false);
        await DisburseAsync(application.ApplicationId, "T2-" + application.ApplicationId[^6..], 35_000_000).ConfigureAwait(false);
        await CallbacksAsync(application.ApplicationId, 3).ConfigureAwait(false);
        var disbursed = await GetAsync(application.ApplicationId).ConfigureAwait(false);

        Require(disbursed.State == ApplicationState.Disbursed, $"After two tranches the application is {disbursed.State.ToContractName()}; expected DISBURSED.");
        Require(disbursed.DisbursedTotal?.UnitsMinor == 75_000_000, $"disbursed_total is {disbursed.DisbursedTotal?.UnitsMinor} fen; the tranches were 40000000 + 35000000 fen.");
    }

    [ConformanceCase("CK-LOAN-007", "QuoteFinancing fills limit, rate and subsidy for a known enterprise", Rule = "connectorkit.v1.QuoteFinancingResponse", Requires = ConnectorCapabilities.Quote)]
    public virtual async Task QuoteFilled()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);

        var quote = await Applications.QuoteFinancingAsync(
            new QuoteFinancingRequest { EnterpriseCreditCode = code, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = SampleData.Yuan(2_000_000), TermMonths = 24, AnnualRevenue = SampleData.Yuan(15_000_000) },
            deadline: Deadline,
            cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);

        Evidence("quote", quote.ToString());
        Require(quote.IndicativeLimit?.UnitsMinor > 0, $"The quote's indicative_limit is {quote.IndicativeLimit?.UnitsMinor} fen; a known enterprise with a good grade should get a positive limit.");
        Require(quote.AnnualRateBp > 0, $"The quote's annual_rate_bp is {quote.AnnualRateBp}; expected a positive rate.");
    }
}
