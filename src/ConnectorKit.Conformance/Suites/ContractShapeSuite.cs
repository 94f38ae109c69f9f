using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Grpc.Health.V1;

namespace ConnectorKit.Conformance.Suites;

/// <summary>The target serves the contract's services, health, and the gRPC basics every peer relies on.</summary>
[SuiteCategory(ConformanceCategory.ContractShape)]
public class ContractShapeSuite : ContractSuite
{
    [ConformanceCase("CK-SHAPE-001", "every bank-side rpc of the contract is served (none answers UNIMPLEMENTED)", Rule = "connectorkit.v1.CreditDataService, connectorkit.v1.LoanApplicationsService")]
    public virtual async Task EveryRpcIsServed()
    {
        var calls = new (string Rpc, Func<Task> Call)[]
        {
            ("PushCreditProfile", () => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("RevokeConsent", () => CreditData.RevokeConsentAsync(new RevokeConsentRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("SubmitApplication", () => Applications.SubmitApplicationAsync(new SubmitApplicationRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("GetApplication", () => Applications.GetApplicationAsync(new GetApplicationRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("WithdrawApplication", () => Applications.WithdrawApplicationAsync(new WithdrawApplicationRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("QuoteFinancing", () => Applications.QuoteFinancingAsync(new QuoteFinancingRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync),
            ("StreamCreditProfiles", async () =>
            {
                using var stream = CreditData.StreamCreditProfiles(deadline: Deadline, cancellationToken: CancellationToken);
                await stream.RequestStream.CompleteAsync().ConfigureAwait(false);
                await stream.ResponseAsync.ConfigureAwait(false);
            }),
        };

        var unimplemented = new List<string>();
        foreach (var (rpc, call) in calls)
        {
            try
            {
                await call().ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                unimplemented.Add(rpc);
            }
            catch (RpcException)
            {
                // Any other status means the rpc exists and judged the (empty) request.
            }
        }

        Require(unimplemented.Count == 0, $"UNIMPLEMENTED for {string.Join(", ", unimplemented)}; a bank must serve every rpc of the v1 contract.");
    }

    [ConformanceCase("CK-SHAPE-002", "an empty request is INVALID_ARGUMENT with the fields at fault, not INTERNAL", Rule = "design: Errors")]
    public virtual async Task EmptyRequestIsInvalidArgument()
    {
        var error = await ExpectStatusAsync(StatusCode.InvalidArgument, "SubmitApplication with an empty request", () => SubmitAsync(new SubmitApplicationRequest())).ConfigureAwait(false);

        var fields = FieldsOf(error, "SubmitApplication with an empty request");
        RequireField(fields, "request_id", "SubmitApplication with an empty request");
    }

    [ConformanceCase("CK-SHAPE-003", "the gRPC health service reports SERVING", Rule = "grpc.health.v1.Health/Check")]
    public virtual async Task HealthServing()
    {
        var health = new Health.HealthClient(Calls);

        var response = await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline, cancellationToken: CancellationToken).ResponseAsync.ConfigureAwait(false);

        Require(response.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"grpc.health.v1 Check(\"\") answered {response.Status}; load balancers and the platform use it to route.");
    }

    [ConformanceCase("CK-SHAPE-004", "a read that does not finish before its deadline ends with DEADLINE_EXCEEDED", Rule = "gRPC deadlines")]
    public virtual async Task ExpiredDeadline()
    {
        var error = await Assert(() => Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-0000000000000000000000000" }, deadline: DateTime.UtcNow.AddMilliseconds(-1), cancellationToken: CancellationToken).ResponseAsync).ConfigureAwait(false);

        Require(error == StatusCode.DeadlineExceeded, $"A call whose deadline had already passed ended with {error.ToWireName()}; expected DEADLINE_EXCEEDED.");
    }

    private static async Task<StatusCode> Assert(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
