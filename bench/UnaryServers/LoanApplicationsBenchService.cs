using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Bench.UnaryServers;

/// <summary>Answers every SubmitApplication with one response built at start-up, as server.js does.</summary>
public sealed class LoanApplicationsBenchService(CallCounter counter) : LoanApplicationsService.LoanApplicationsServiceBase
{
    private readonly SubmitApplicationResponse _response = LoanFixtures.CreateResponse();

    public override Task<SubmitApplicationResponse> SubmitApplication(SubmitApplicationRequest request, ServerCallContext context)
    {
        counter.Increment();
        return Task.FromResult(_response);
    }
}

/// <summary>Calls served, counted only with --report-alloc so the measured runs pay nothing for it.</summary>
public sealed class CallCounter(bool enabled)
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public void Increment()
    {
        if (enabled)
        {
            Interlocked.Increment(ref _calls);
        }
    }
}
