using System.Collections.Concurrent;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Examples.PlatformClient;

/// <summary>The platform's reaction to the bank's callbacks in the demo: it counts them for the progress display.</summary>
public sealed class DemoEventHandler : ILoanEventHandler
{
    public ConcurrentDictionary<string, ApplicationState> States { get; } = new();

    public ConcurrentDictionary<string, long> ApprovedFen { get; } = new();

    public ConcurrentDictionary<string, long> PaidFen { get; } = new();

    public long DisbursedFen => Interlocked.Read(ref _disbursedFen);

    private long _disbursedFen;

    /// <summary>True once the application is rejected, waiting for information, or paid in full.</summary>
    public bool IsSettled(string applicationId) => States.TryGetValue(applicationId, out var state) && state switch
    {
        ApplicationState.Rejected or ApplicationState.MoreInfoRequired => true,
        ApplicationState.Disbursed => PaidFen.GetValueOrDefault(applicationId) >= ApprovedFen.GetValueOrDefault(applicationId, long.MaxValue),
        _ => false,
    };

    public Task OnApprovalDecisionAsync(NotifyApprovalDecisionRequest request, LoanEventContext context, CancellationToken cancellationToken)
    {
        if (request.OutcomeCase == NotifyApprovalDecisionRequest.OutcomeOneofCase.Approved)
        {
            ApprovedFen[context.ApplicationId] = request.Approved.Amount.UnitsMinor;
        }

        States[context.ApplicationId] = request.OutcomeCase switch
        {
            NotifyApprovalDecisionRequest.OutcomeOneofCase.Approved => ApplicationState.Approved,
            NotifyApprovalDecisionRequest.OutcomeOneofCase.Rejected => ApplicationState.Rejected,
            _ => ApplicationState.MoreInfoRequired,
        };
        return Task.CompletedTask;
    }

    public Task OnDisbursementAsync(NotifyDisbursementRequest request, LoanEventContext context, CancellationToken cancellationToken)
    {
        if (request.Status == DisbursementStatus.Paid)
        {
            States[context.ApplicationId] = ApplicationState.Disbursed;
            Interlocked.Add(ref _disbursedFen, request.Amount.UnitsMinor);
            PaidFen.AddOrUpdate(context.ApplicationId, request.Amount.UnitsMinor, (_, paid) => paid + request.Amount.UnitsMinor);
        }

        return Task.CompletedTask;
    }
}
