using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>The state rules of LoanEventsService (see loan_events.proto), as pure transitions of a <see cref="TrackedApplication"/>.</summary>
internal static class LoanEventStateMachine
{
    public static EventTransition Decide(TrackedApplication application, NotifyApprovalDecisionRequest request)
    {
        if (application.State is not (ApplicationState.Submitted or ApplicationState.UnderReview or ApplicationState.MoreInfoRequired))
        {
            return EventTransition.Refuse($"Application {application.ApplicationId} is {Name(application.State)}; a decision is accepted only while it is undecided (SUBMITTED, UNDER_REVIEW or MORE_INFO_REQUIRED).");
        }

        var at = request.Header.OccurredAt.ToDateTimeOffset();
        return request.OutcomeCase switch
        {
            NotifyApprovalDecisionRequest.OutcomeOneofCase.Approved => EventTransition.Accept(application with
            {
                State = ApplicationState.Approved,
                ApprovedAmountMinor = request.Approved.Amount.UnitsMinor,
                DecidedAt = at,
                Timeline = [.. application.Timeline, new TimelineStep(ApplicationState.Approved, at, $"approved {Yuan(request.Approved.Amount.UnitsMinor)} CNY")],
            }),
            NotifyApprovalDecisionRequest.OutcomeOneofCase.Rejected => EventTransition.Accept(application with
            {
                State = ApplicationState.Rejected,
                DecidedAt = at,
                Timeline = [.. application.Timeline, new TimelineStep(ApplicationState.Rejected, at, Truncate($"rejected: {string.Join(", ", request.Rejected.ReasonCodes)}"))],
            }),
            _ => EventTransition.Accept(application with
            {
                State = ApplicationState.MoreInfoRequired,
                Timeline = [.. application.Timeline, new TimelineStep(ApplicationState.MoreInfoRequired, at, Truncate($"more information required: {request.MoreInfoRequired.RequestedItems.Count} item(s)"))],
            }),
        };
    }

    public static EventTransition Disburse(TrackedApplication application, NotifyDisbursementRequest request)
    {
        if (application.State is not (ApplicationState.Approved or ApplicationState.Disbursed))
        {
            return EventTransition.Refuse($"Application {application.ApplicationId} is {Name(application.State)}; a disbursement is accepted only once it is APPROVED or DISBURSED.");
        }

        var expectedTranche = application.LastTranche + 1;
        if (request.TrancheNumber != expectedTranche)
        {
            return EventTransition.Refuse($"Tranche {request.TrancheNumber} of application {application.ApplicationId} is out of order: the next tranche is {expectedTranche}.");
        }

        var at = request.Header.OccurredAt.ToDateTimeOffset();
        if (request.Status == DisbursementStatus.Failed)
        {
            return EventTransition.Accept(application with
            {
                Timeline = [.. application.Timeline, new TimelineStep(application.State, at, $"tranche {request.TrancheNumber} failed")],
            });
        }

        var approved = application.ApprovedAmountMinor ?? 0;
        // Compared against what is left rather than by adding: a huge tranche from the wire must not wrap the sum below the limit.
        if (request.Amount.UnitsMinor > approved - application.DisbursedTotalMinor)
        {
            return EventTransition.Refuse(
                $"Tranche {request.TrancheNumber} of application {application.ApplicationId} of {Yuan(request.Amount.UnitsMinor)} CNY on top of {Yuan(application.DisbursedTotalMinor)} CNY paid would be above the approved {Yuan(approved)} CNY.");
        }

        var total = application.DisbursedTotalMinor + request.Amount.UnitsMinor;

        var paidAt = request.PaidAt.ToDateTimeOffset();
        return EventTransition.Accept(application with
        {
            State = ApplicationState.Disbursed,
            DisbursedTotalMinor = total,
            LastTranche = request.TrancheNumber,
            FirstMoneyAt = application.FirstMoneyAt ?? paidAt,
            Timeline = [.. application.Timeline, new TimelineStep(ApplicationState.Disbursed, at, $"tranche {request.TrancheNumber} paid: {Yuan(request.Amount.UnitsMinor)} CNY")],
        });
    }

    private static string Name(ApplicationState state) => state.ToContractName();

    private static string Yuan(long minor) => $"{minor / 100}.{Math.Abs(minor % 100):00}";

    private static string Truncate(string note) => note.Length <= 500 ? note : note[..500];
}
