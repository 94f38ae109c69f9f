using System.Security.Cryptography;
using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>
/// LoanEventsService as the platform serves it. Checks, in the contract's order: credentials (UNAUTHENTICATED), input
/// (INVALID_ARGUMENT), header.bank_id is the caller (PERMISSION_DENIED), the application was submitted to that bank
/// (NOT_FOUND; PERMISSION_DENIED when the id is another bank's), event id seen before (OK with duplicate = true, or
/// ALREADY_EXISTS for a different request), sequence is the last applied plus one, state machine — then the
/// <see cref="ILoanEventHandler"/>, then commit, then the acknowledgement.
/// </summary>
/// <remarks>
/// An early event (sequence above the next expected) is refused with FAILED_PRECONDITION naming the expected sequence,
/// and nothing is stored: the bank retries it after delivering the missing ones. A handler that throws makes the call
/// UNAVAILABLE, which the bank also retries, with the same event id.
/// </remarks>
internal sealed partial class LoanEventsReceiver(
    IPlatformStore store,
    ILoanEventHandler handler,
    CallbackAuthenticator authenticator,
    TimeProvider timeProvider,
    ILogger<LoanEventsReceiver> logger) : LoanEventsService.LoanEventsServiceBase
{
    private const string ErrorDomain = "connectorkit.v1";

    public override async Task<NotifyApprovalDecisionResponse> NotifyApprovalDecision(NotifyApprovalDecisionRequest request, ServerCallContext context)
    {
        var caller = authenticator.Authenticate(context);
        LoanEventValidator.Validate(request);
        var duplicate = await ApplyAsync(
            caller,
            request.Header,
            1,
            request,
            application => LoanEventStateMachine.Decide(application, request),
            (eventContext, cancellationToken) => handler.OnApprovalDecisionAsync(request, eventContext, cancellationToken),
            context).ConfigureAwait(false);
        return new NotifyApprovalDecisionResponse { Duplicate = duplicate };
    }

    public override async Task<NotifyDisbursementResponse> NotifyDisbursement(NotifyDisbursementRequest request, ServerCallContext context)
    {
        var caller = authenticator.Authenticate(context);
        LoanEventValidator.Validate(request);
        var duplicate = await ApplyAsync(
            caller,
            request.Header,
            2,
            request,
            application => LoanEventStateMachine.Disburse(application, request),
            (eventContext, cancellationToken) => handler.OnDisbursementAsync(request, eventContext, cancellationToken),
            context).ConfigureAwait(false);
        return new NotifyDisbursementResponse { Duplicate = duplicate };
    }

    /// <returns>True when the event was a duplicate and nothing ran.</returns>
    private async Task<bool> ApplyAsync(
        string? caller,
        EventHeader header,
        byte kind,
        IMessage request,
        Func<TrackedApplication, EventTransition> transition,
        Func<LoanEventContext, CancellationToken, Task> callHandler,
        ServerCallContext context)
    {
        if (caller is not null && !string.Equals(caller, header.BankId, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"The caller is bank '{caller}'; it may not report events as bank '{header.BankId}'."));
        }

        var incoming = new IncomingEvent(header.BankId, header.EventId, header.ApplicationId, header.Sequence, RequestHash(kind, request), timeProvider.GetUtcNow());
        var handlerFailed = false;
        ApplyEventResult result;
        try
        {
            result = await store.ApplyEventAsync(
                incoming,
                transition,
                async (previous, next, cancellationToken) =>
                {
                    try
                    {
                        await callHandler(
                            new LoanEventContext(header.BankId, header.ApplicationId, header.EventId, header.Sequence, header.OccurredAt.ToDateTimeOffset(), previous, next),
                            cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        handlerFailed = true;
                        throw;
                    }
                },
                context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not RpcException && !context.CancellationToken.IsCancellationRequested)
        {
            if (handlerFailed)
            {
                Log.HandlerFailed(logger, exception, header.BankId, header.ApplicationId, header.EventId, header.Sequence);
                throw new RpcException(new Status(StatusCode.Unavailable, $"The platform could not process event {header.EventId} now; nothing was applied. Retry the same event later."));
            }

            Log.StoreFailed(logger, exception, header.BankId, header.ApplicationId, header.EventId);
            throw new RpcException(new Status(StatusCode.Unavailable, "The platform's store is unavailable; nothing was applied. Retry the same event later."));
        }

        switch (result.Outcome)
        {
            case ApplyEventOutcome.Applied:
                Log.Applied(logger, header.BankId, header.ApplicationId, header.EventId, header.Sequence);
                return false;
            case ApplyEventOutcome.Duplicate:
                return true;
            case ApplyEventOutcome.NotFound:
                throw new RpcException(new Status(StatusCode.NotFound, $"No application '{header.ApplicationId}' was submitted to bank '{header.BankId}'."));
            case ApplyEventOutcome.ForeignApplication:
                throw new RpcException(new Status(StatusCode.PermissionDenied, $"Application '{header.ApplicationId}' belongs to another bank; a bank may report only on its own applications."));
            case ApplyEventOutcome.Conflict:
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"Event id '{header.EventId}' was already used by bank '{header.BankId}' for a different request."));
            case ApplyEventOutcome.OutOfOrder:
                throw RichStatus.WithErrorInfo(
                    StatusCode.FailedPrecondition,
                    $"Event {header.EventId} has sequence {header.Sequence} but application '{header.ApplicationId}' expects sequence {result.ExpectedSequence}. " +
                    $"Deliver sequence {result.ExpectedSequence} first, then retry this event.",
                    "SEQUENCE_OUT_OF_ORDER",
                    ErrorDomain,
                    new Dictionary<string, string> { ["expected_sequence"] = result.ExpectedSequence.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            default:
                throw new RpcException(new Status(StatusCode.FailedPrecondition, result.Refusal ?? "The event is not allowed in the application's state."));
        }
    }

    // The rpc is part of the hash, so an event id reused across the two rpcs never counts as the same request.
    private static byte[] RequestHash(byte kind, IMessage request)
    {
        var bytes = request.ToByteArray();
        var buffer = new byte[bytes.Length + 1];
        buffer[0] = kind;
        bytes.CopyTo(buffer, 1);
        return SHA256.HashData(buffer);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Applied event {EventId} (sequence {Sequence}) of bank {BankId} to application {ApplicationId}")]
        public static partial void Applied(ILogger logger, string bankId, string applicationId, string eventId, ulong sequence);

        [LoggerMessage(2, LogLevel.Error, "The loan event handler failed for event {EventId} (sequence {Sequence}) of bank {BankId} on application {ApplicationId}; rolled back, the bank will retry")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string bankId, string applicationId, string eventId, ulong sequence);

        [LoggerMessage(3, LogLevel.Error, "The platform store failed for event {EventId} of bank {BankId} on application {ApplicationId}")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string bankId, string applicationId, string eventId);
    }
}
