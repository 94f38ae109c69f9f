using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Services;

/// <summary>
/// The application state machine of the design card: SUBMITTED → UNDER_REVIEW → APPROVED | REJECTED |
/// MORE_INFO_REQUIRED | WITHDRAWN; APPROVED → DISBURSED (one or more tranches) → CLOSED. Every change is one
/// store transaction holding the new state, its timeline entry and its callback.
/// </summary>
internal sealed class ApplicationStateMachine(
    IConnectorKitStore store,
    IOptions<ConnectorKitServerOptions> options,
    TimeProvider timeProvider,
    IOutboxSignal outboxSignal) : ILoanDecisions, IBankSignals
{
    internal const string ApprovalMethod = "/connectorkit.v1.LoanEventsService/NotifyApprovalDecision";
    internal const string DisbursementMethod = "/connectorkit.v1.LoanEventsService/NotifyDisbursement";

    private static readonly ApplicationState[] Undecided = [ApplicationState.Submitted, ApplicationState.UnderReview, ApplicationState.MoreInfoRequired];

    private string BankId => options.Value.BankId;

    public Task<Application> StartReviewAsync(string applicationId, string? note = null, CancellationToken cancellationToken = default)
        => Plain(StartReviewCore(null, applicationId, note, cancellationToken));

    public Task<SignalResult> StartReviewAsync(IReadOnlyList<string> signalKeys, string applicationId, string? note = null, CancellationToken cancellationToken = default)
        => StartReviewCore(Keys(signalKeys), applicationId, note, cancellationToken);

    private Task<SignalResult> StartReviewCore(IReadOnlyList<string>? signalKeys, string applicationId, string? note, CancellationToken cancellationToken)
        => ChangeAsync(signalKeys, applicationId, [ApplicationState.Submitted, ApplicationState.MoreInfoRequired], "start the review", (app, at) =>
        {
            app.State = ApplicationState.UnderReview;
            app.MoreInfoRequest = null;
            return (note ?? "review started", null);
        }, cancellationToken);

    public Task<Application> ApproveAsync(string applicationId, ApprovedTerms terms, CancellationToken cancellationToken = default)
        => Plain(ApproveCore(null, applicationId, terms, cancellationToken));

    public Task<SignalResult> ApproveAsync(IReadOnlyList<string> signalKeys, string applicationId, ApprovedTerms terms, CancellationToken cancellationToken = default)
        => ApproveCore(Keys(signalKeys), applicationId, terms, cancellationToken);

    private Task<SignalResult> ApproveCore(IReadOnlyList<string>? signalKeys, string applicationId, ApprovedTerms terms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Amount is null || terms.Amount.UnitsMinor <= 0)
        {
            throw new ArgumentException("Approved terms need a positive amount.", nameof(terms));
        }

        return ChangeAsync(signalKeys, applicationId, Undecided, "approve it", (app, at) =>
        {
            app.State = ApplicationState.Approved;
            app.ApprovedTerms = terms.Clone();
            app.MoreInfoRequest = null;
            app.DisbursedTotal = new Money { UnitsMinor = 0, CurrencyCode = terms.Amount.CurrencyCode };
            return ($"approved {terms.Amount.UnitsMinor} fen at {terms.AnnualRateBp} bp for {terms.TermMonths} months", new NotifyApprovalDecisionRequest { Approved = terms.Clone() });
        }, cancellationToken);
    }

    public Task<Application> RejectAsync(string applicationId, Rejection rejection, CancellationToken cancellationToken = default)
        => Plain(RejectCore(null, applicationId, rejection, cancellationToken));

    public Task<SignalResult> RejectAsync(IReadOnlyList<string> signalKeys, string applicationId, Rejection rejection, CancellationToken cancellationToken = default)
        => RejectCore(Keys(signalKeys), applicationId, rejection, cancellationToken);

    private Task<SignalResult> RejectCore(IReadOnlyList<string>? signalKeys, string applicationId, Rejection rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        if (rejection.ReasonCodes.Count == 0)
        {
            throw new ArgumentException("A rejection needs at least one reason code.", nameof(rejection));
        }

        return ChangeAsync(signalKeys, applicationId, Undecided, "reject it", (app, at) =>
        {
            app.State = ApplicationState.Rejected;
            app.Rejection = rejection.Clone();
            app.MoreInfoRequest = null;
            return ("rejected: " + string.Join(",", rejection.ReasonCodes), new NotifyApprovalDecisionRequest { Rejected = rejection.Clone() });
        }, cancellationToken);
    }

    public Task<Application> RequestMoreInfoAsync(string applicationId, MoreInfoRequest request, CancellationToken cancellationToken = default)
        => Plain(RequestMoreInfoCore(null, applicationId, request, cancellationToken));

    public Task<SignalResult> RequestMoreInfoAsync(IReadOnlyList<string> signalKeys, string applicationId, MoreInfoRequest request, CancellationToken cancellationToken = default)
        => RequestMoreInfoCore(Keys(signalKeys), applicationId, request, cancellationToken);

    private Task<SignalResult> RequestMoreInfoCore(IReadOnlyList<string>? signalKeys, string applicationId, MoreInfoRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestedItems.Count == 0)
        {
            throw new ArgumentException("Say which information is needed.", nameof(request));
        }

        return ChangeAsync(signalKeys, applicationId, [ApplicationState.Submitted, ApplicationState.UnderReview], "ask for more information", (app, at) =>
        {
            app.State = ApplicationState.MoreInfoRequired;
            app.MoreInfoRequest = request.Clone();
            return ("more information required: " + string.Join(",", request.RequestedItems), new NotifyApprovalDecisionRequest { MoreInfoRequired = request.Clone() });
        }, cancellationToken);
    }

    public Task<Application> DisburseAsync(string applicationId, Money amount, string accountNumber, DisbursementStatus status = DisbursementStatus.Paid, string? failureReason = null, CancellationToken cancellationToken = default)
        => Plain(DisburseCore(null, applicationId, amount, accountNumber, status, failureReason, cancellationToken));

    public Task<SignalResult> DisburseAsync(IReadOnlyList<string> signalKeys, string applicationId, Money amount, string accountNumber, DisbursementStatus status = DisbursementStatus.Paid, string? failureReason = null, CancellationToken cancellationToken = default)
        => DisburseCore(Keys(signalKeys), applicationId, amount, accountNumber, status, failureReason, cancellationToken);

    private Task<SignalResult> DisburseCore(IReadOnlyList<string>? signalKeys, string applicationId, Money amount, string accountNumber, DisbursementStatus status, string? failureReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(amount);
        ArgumentException.ThrowIfNullOrEmpty(accountNumber);
        if (amount.UnitsMinor <= 0)
        {
            throw new ArgumentException("A tranche needs a positive amount.", nameof(amount));
        }

        if (status is not (DisbursementStatus.Paid or DisbursementStatus.Failed))
        {
            throw new ArgumentException("A tranche is either paid or failed.", nameof(status));
        }

        var masked = AccountMasking.ForCallback(accountNumber);
        return ChangeAsync(signalKeys, applicationId, [ApplicationState.Approved, ApplicationState.Disbursed], "disburse", (app, at) =>
        {
            var paidSoFar = app.Timeline.Count(e => e.State == ApplicationState.Disbursed);
            var request = new NotifyDisbursementRequest
            {
                TrancheNumber = paidSoFar + 1,
                Amount = amount.Clone(),
                Status = status,
                MaskedAccount = masked,
            };

            if (status == DisbursementStatus.Failed)
            {
                request.FailureReason = string.IsNullOrWhiteSpace(failureReason) ? "payment failed" : failureReason;
                return (null, request);
            }

            // Compared against what is left rather than by adding, so a huge tranche cannot wrap the sum below the limit.
            var paid = app.DisbursedTotal?.UnitsMinor ?? 0;
            var approved = app.ApprovedTerms.Amount.UnitsMinor;
            if (amount.UnitsMinor > approved - paid)
            {
                throw new ApplicationTransitionException(app.ApplicationId, app.State, $"Disbursing {amount.UnitsMinor} fen on top of {paid} fen already paid would exceed the approved {approved} fen.");
            }

            var total = paid + amount.UnitsMinor;

            app.State = ApplicationState.Disbursed;
            app.DisbursedTotal = new Money { UnitsMinor = total, CurrencyCode = amount.CurrencyCode };
            request.PaidAt = Timestamp.FromDateTimeOffset(at);
            return ($"tranche {request.TrancheNumber} paid: {amount.UnitsMinor} fen", request);
        }, cancellationToken);
    }

    public Task<Application> CloseAsync(string applicationId, string note, CancellationToken cancellationToken = default)
        => Plain(CloseCore(null, applicationId, note, cancellationToken));

    public Task<SignalResult> CloseAsync(IReadOnlyList<string> signalKeys, string applicationId, string note, CancellationToken cancellationToken = default)
        => CloseCore(Keys(signalKeys), applicationId, note, cancellationToken);

    private Task<SignalResult> CloseCore(IReadOnlyList<string>? signalKeys, string applicationId, string note, CancellationToken cancellationToken)
        => ChangeAsync(signalKeys, applicationId, [ApplicationState.Approved, ApplicationState.Disbursed], "close it", (app, at) =>
        {
            app.State = ApplicationState.Closed;
            return (note, null);
        }, cancellationToken);

    /// <summary>The platform's withdrawal: undecided → WITHDRAWN; already WITHDRAWN is answered unchanged.</summary>
    public async Task<Application> WithdrawAsync(string applicationId, string platformId, string reason, CancellationToken cancellationToken)
    {
        var stored = await store.UpdateApplicationAsync(applicationId, current =>
        {
            if (current.PlatformId != platformId)
            {
                throw new ApplicationNotFoundException(applicationId);
            }

            if (current.State == ApplicationState.Withdrawn)
            {
                return null;
            }

            var app = Application.Parser.ParseFrom(current.Payload);
            if (!Undecided.Contains(app.State))
            {
                throw new ApplicationTransitionException(applicationId, app.State, $"Application {applicationId} is {Describe(app.State)}; it can be withdrawn only before the decision.");
            }

            var at = timeProvider.GetUtcNow();
            app.State = ApplicationState.Withdrawn;
            app.MoreInfoRequest = null;
            AddTimeline(app, at, string.IsNullOrWhiteSpace(reason) ? "withdrawn by the enterprise" : "withdrawn: " + reason);
            return new ApplicationUpdate(app.State, app.ToByteArray(), [], at);
        }, cancellationToken).ConfigureAwait(false);

        return stored is null ? throw new ApplicationNotFoundException(applicationId) : Application.Parser.ParseFrom(stored.Payload);
    }

    internal static string Describe(ApplicationState state) => state.ToContractName();

    internal static void AddTimeline(Application app, DateTimeOffset at, string? note) => app.Timeline.Add(new TimelineEntry
    {
        State = app.State,
        At = Timestamp.FromDateTimeOffset(at),
        Sequence = (ulong)app.Timeline.Count + 1,
        Note = note ?? string.Empty,
    });

    /// <summary>
    /// Applies <paramref name="change"/> inside the store's transaction. The change edits the application and returns the
    /// timeline note (null: no timeline entry) and the callback to send (null: none).
    /// </summary>
    private async Task<SignalResult> ChangeAsync(IReadOnlyList<string>? signalKeys, string applicationId, ApplicationState[] allowedFrom, string what, Func<Application, DateTimeOffset, (string? Note, IMessage? Callback)> change, CancellationToken cancellationToken)
    {
        var queuedEvent = false;
        (byte[] Payload, Application Application)? written = null;
        Func<StoredApplication, ApplicationUpdate?> update = current =>
        {
            var app = Application.Parser.ParseFrom(current.Payload);
            if (!allowedFrom.Contains(app.State))
            {
                throw new ApplicationTransitionException(applicationId, app.State, $"Cannot {what}: application {applicationId} is {Describe(app.State)}.");
            }

            var at = timeProvider.GetUtcNow();
            var before = app.State;
            var (note, callback) = change(app, at);
            if (note is not null)
            {
                AddTimeline(app, at, note);
            }

            var events = new List<NewOutboxMessage>();
            if (callback is not null)
            {
                var sequence = current.LastSequence + 1;
                var header = new EventHeader
                {
                    EventId = Guid.NewGuid().ToString(),
                    ApplicationId = applicationId,
                    BankId = BankId,
                    Sequence = (ulong)sequence,
                    OccurredAt = Timestamp.FromDateTimeOffset(at),
                };
                var (method, eventId) = callback switch
                {
                    NotifyApprovalDecisionRequest approval => (ApprovalMethod, (approval.Header = header).EventId),
                    NotifyDisbursementRequest disbursement => (DisbursementMethod, (disbursement.Header = header).EventId),
                    _ => throw new InvalidOperationException("Unknown callback type " + callback.GetType()),
                };
                events.Add(new NewOutboxMessage(eventId, sequence, method, callback.ToByteArray()));
            }

            queuedEvent = events.Count > 0;
            var payload = app.ToByteArray();
            written = (payload, app);
            return new ApplicationUpdate(app.State, payload, events, at);
        };

        var result = signalKeys is null
            ? new SignalledUpdate(await store.UpdateApplicationAsync(applicationId, update, cancellationToken).ConfigureAwait(false), false)
            : await store.UpdateApplicationForSignalAsync(applicationId, signalKeys, update, cancellationToken).ConfigureAwait(false);

        if (result.Application is null)
        {
            throw new ApplicationNotFoundException(applicationId);
        }

        if (queuedEvent && !result.Duplicate)
        {
            outboxSignal.Nudge();
        }

        // The stored bytes are the ones this change serialised: hand back the object they came from instead of parsing
        // them again. Any other outcome (a duplicate signal, a store that copies the bytes) is parsed from the store.
        var application = written is { } w && ReferenceEquals(w.Payload, result.Application.Payload)
            ? w.Application
            : Application.Parser.ParseFrom(result.Application.Payload);
        return new SignalResult(application, result.Duplicate);
    }

    private static async Task<Application> Plain(Task<SignalResult> change) => (await change.ConfigureAwait(false)).Application;

    private static IReadOnlyList<string> Keys(IReadOnlyList<string> signalKeys)
    {
        ArgumentNullException.ThrowIfNull(signalKeys);
        return signalKeys.Count == 0 || signalKeys.Any(string.IsNullOrWhiteSpace)
            ? throw new ArgumentException("A signal needs at least one non-empty key.", nameof(signalKeys))
            : signalKeys;
    }
}
