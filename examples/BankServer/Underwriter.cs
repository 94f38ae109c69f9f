using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Examples.BankServer;

/// <summary>
/// The reference bank's back office: takes each new application into review, decides it by the configured rule
/// (approve, reject with reason codes, or ask for more information), pays approved loans in tranches, and closes a
/// loan once it is drawn in full.
/// Every step goes through <see cref="ILoanDecisions"/>, so the platform hears of it through the outbox.
/// </summary>
public sealed class Underwriter(
    IConnectorKitStore store,
    ILoanDecisions decisions,
    IPricingPolicy pricing,
    IOptions<UnderwritingOptions> options,
    TimeProvider timeProvider,
    ILogger<Underwriter> logger) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _nextTranche = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, timeProvider);
        do
        {
            try
            {
                await ReviewNewAsync(stoppingToken);
                await DecideUnderReviewAsync(stoppingToken);
                await DisburseApprovedAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Underwriting round failed; retrying on the next tick.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The rule, on its own so it can be tested and explained.</summary>
    public static Decision Decide(SubmitInfo application, CreditProfile? profile, UnderwritingOptions rule)
    {
        if (profile is null)
        {
            return Decision.MoreInfo("CREDIT_PROFILE", "No credit profile under a valid consent; push the enterprise's profile.");
        }

        if (rule.RejectedGrades.Contains(profile.Grade))
        {
            return Decision.Reject("GRADE_BELOW_POLICY", $"Credit grade {profile.Grade} is below the bank's policy.");
        }

        if (profile.Score < rule.MoreInfoFromScore)
        {
            return Decision.Reject("SCORE_BELOW_POLICY", $"Score {profile.Score} is below {rule.MoreInfoFromScore}.");
        }

        if (profile.Score < rule.ApproveFromScore)
        {
            return Decision.MoreInfo("FINANCIAL_STATEMENTS", $"Score {profile.Score} needs the last two years' financial statements.");
        }

        var cap = rule.MaxAmountYuanByGrade.GetValueOrDefault(profile.Grade) + ((profile.InnovationPoints?.TotalPoints ?? 0) * rule.YuanPerInnovationPoint);
        var amount = Math.Min(application.RequestedFen, cap * 100);
        return amount <= 0
            ? Decision.Reject("NO_LIMIT_FOR_GRADE", $"No limit is set for grade {profile.Grade}.")
            : Decision.Approve(amount);
    }

    private async Task ReviewNewAsync(CancellationToken cancellationToken)
    {
        foreach (var app in await store.ListApplicationsAsync(ApplicationState.Submitted, 100, cancellationToken))
        {
            await decisions.StartReviewAsync(app.ApplicationId, "automatic review", cancellationToken);
        }
    }

    private async Task DecideUnderReviewAsync(CancellationToken cancellationToken)
    {
        var rule = options.Value;
        foreach (var stored in await store.ListApplicationsAsync(ApplicationState.UnderReview, 100, cancellationToken))
        {
            var app = Application.Parser.ParseFrom(stored.Payload);
            var profile = await FindProfileAsync(app.EnterpriseCreditCode, cancellationToken);
            var decision = Decide(new SubmitInfo(app.RequestedAmount.UnitsMinor, app.TermMonths), profile, rule);
            try
            {
                await ApplyAsync(app, decision, profile, cancellationToken);
            }
            catch (ApplicationTransitionException ex)
            {
                // The platform withdrew it meanwhile; nothing to decide.
                logger.LogInformation("Skipped {ApplicationId}: {Reason}", app.ApplicationId, ex.Message);
            }
        }
    }

    private async Task ApplyAsync(Application app, Decision decision, CreditProfile? profile, CancellationToken cancellationToken)
    {
        switch (decision.Kind)
        {
            case DecisionKind.Approve:
                var quote = await pricing.QuoteAsync(
                    new QuoteContext(new QuoteFinancingRequest { EnterpriseCreditCode = app.EnterpriseCreditCode, Product = app.Product, RequestedAmount = app.RequestedAmount, TermMonths = app.TermMonths }, profile, timeProvider.GetUtcNow()),
                    cancellationToken);
                var terms = new ApprovedTerms
                {
                    Amount = new Money { UnitsMinor = decision.AmountFen, CurrencyCode = "CNY" },
                    AnnualRateBp = quote.AnnualRateBp,
                    TermMonths = app.TermMonths,
                    Conditions = { "quarterly financial statements", "funds used for the stated purpose" },
                };
                await decisions.ApproveAsync(app.ApplicationId, terms, cancellationToken);
                _nextTranche[app.ApplicationId] = timeProvider.GetUtcNow() + options.Value.TrancheInterval;
                break;
            case DecisionKind.Reject:
                await decisions.RejectAsync(app.ApplicationId, new Rejection { ReasonCodes = { decision.Code }, Message = decision.Message }, cancellationToken);
                break;
            default:
                await decisions.RequestMoreInfoAsync(app.ApplicationId, new MoreInfoRequest { RequestedItems = { decision.Code }, Message = decision.Message }, cancellationToken);
                break;
        }
    }

    private async Task DisburseApprovedAsync(CancellationToken cancellationToken)
    {
        var rule = options.Value;
        var now = timeProvider.GetUtcNow();
        var due = new List<StoredApplication>();
        due.AddRange(await store.ListApplicationsAsync(ApplicationState.Approved, 100, cancellationToken));
        due.AddRange(await store.ListApplicationsAsync(ApplicationState.Disbursed, 100, cancellationToken));
        foreach (var stored in due)
        {
            var app = Application.Parser.ParseFrom(stored.Payload);
            var approved = app.ApprovedTerms.Amount.UnitsMinor;
            var paid = app.DisbursedTotal?.UnitsMinor ?? 0;
            if (paid >= approved || (_nextTranche.TryGetValue(app.ApplicationId, out var at) && at > now))
            {
                continue;
            }

            var trancheSize = (approved + rule.Tranches - 1) / rule.Tranches;
            var amount = Math.Min(trancheSize, approved - paid);
            await decisions.DisburseAsync(app.ApplicationId, new Money { UnitsMinor = amount, CurrencyCode = "CNY" }, rule.DemoReceivingAccount, cancellationToken: cancellationToken);
            if (paid + amount >= approved)
            {
                // Drawn in full, the facility has ended. Closing also takes the loan off the DISBURSED list this
                // round reads (oldest first, 100 at a time), which would otherwise fill with finished loans.
                await decisions.CloseAsync(app.ApplicationId, "facility drawn in full", cancellationToken);
                _nextTranche.Remove(app.ApplicationId);
            }
            else
            {
                _nextTranche[app.ApplicationId] = now + rule.TrancheInterval;
            }
        }
    }

    private async Task<CreditProfile?> FindProfileAsync(string creditCode, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        CreditProfile? newest = null;
        foreach (var stored in await store.GetProfilesAsync(creditCode, cancellationToken))
        {
            if (stored.ConsentExpiresAt <= now || await store.IsConsentRevokedAsync(stored.ConsentId, cancellationToken))
            {
                continue;
            }

            var profile = CreditProfile.Parser.ParseFrom(stored.Payload);
            if (newest is null || profile.Version > newest.Version)
            {
                newest = profile;
            }
        }

        return newest;
    }
}

/// <summary>What the rule looks at besides the profile.</summary>
public sealed record SubmitInfo(long RequestedFen, int TermMonths);

public enum DecisionKind
{
    Approve,
    Reject,
    MoreInfo,
}

/// <summary>The rule's verdict.</summary>
public sealed record Decision(DecisionKind Kind, long AmountFen, string Code, string Message)
{
    public static Decision Approve(long amountFen) => new(DecisionKind.Approve, amountFen, string.Empty, string.Empty);

    public static Decision Reject(string code, string message) => new(DecisionKind.Reject, 0, code, message);

    public static Decision MoreInfo(string item, string message) => new(DecisionKind.MoreInfo, 0, item, message);
}
