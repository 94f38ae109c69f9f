using System.Text.RegularExpressions;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Client.Receiver.Internal;

/// <summary>Input checks of LoanEventsService (step 1 of the contract's order). Descriptions never echo account numbers.</summary>
internal static partial class LoanEventValidator
{
    public static void Validate(NotifyApprovalDecisionRequest request)
    {
        var violations = new List<(string Field, string Description)>();
        ValidateHeader(request.Header, violations);
        switch (request.OutcomeCase)
        {
            case NotifyApprovalDecisionRequest.OutcomeOneofCase.Approved:
                var terms = request.Approved;
                ValidateAmount(terms.Amount, "approved.amount", violations);
                if (terms.AnnualRateBp is < 0 or > 2400)
                {
                    violations.Add(("approved.annual_rate_bp", "The annual rate must lie between 0 and 2400 basis points."));
                }

                if (terms.TermMonths is < 1 or > 120)
                {
                    violations.Add(("approved.term_months", "The term must lie between 1 and 120 months."));
                }

                if (terms.Conditions.Count > 20)
                {
                    violations.Add(("approved.conditions", "At most 20 conditions are allowed."));
                }

                for (var i = 0; i < terms.Conditions.Count; i++)
                {
                    if (terms.Conditions[i].Length is < 1 or > 500)
                    {
                        violations.Add(($"approved.conditions[{i}]", "A condition must have 1 to 500 characters."));
                    }
                }

                break;
            case NotifyApprovalDecisionRequest.OutcomeOneofCase.Rejected:
                if (request.Rejected.ReasonCodes.Count == 0)
                {
                    violations.Add(("rejected.reason_codes", "At least one reason code is required."));
                }

                for (var i = 0; i < request.Rejected.ReasonCodes.Count; i++)
                {
                    if (!ReasonCode().IsMatch(request.Rejected.ReasonCodes[i]))
                    {
                        violations.Add(($"rejected.reason_codes[{i}]", "A reason code must be 1 to 64 characters of upper snake case."));
                    }
                }

                if (request.Rejected.Message.Length > 1000)
                {
                    violations.Add(("rejected.message", "The message must have at most 1000 characters."));
                }

                break;
            case NotifyApprovalDecisionRequest.OutcomeOneofCase.MoreInfoRequired:
                if (request.MoreInfoRequired.RequestedItems.Count == 0)
                {
                    violations.Add(("more_info_required.requested_items", "At least one requested item is required."));
                }

                for (var i = 0; i < request.MoreInfoRequired.RequestedItems.Count; i++)
                {
                    if (request.MoreInfoRequired.RequestedItems[i].Length is < 1 or > 200)
                    {
                        violations.Add(($"more_info_required.requested_items[{i}]", "A requested item must have 1 to 200 characters."));
                    }
                }

                if (request.MoreInfoRequired.Message.Length > 1000)
                {
                    violations.Add(("more_info_required.message", "The message must have at most 1000 characters."));
                }

                break;
            default:
                violations.Add(("outcome", "Exactly one outcome is required: approved, rejected or more_info_required."));
                break;
        }

        ThrowIfAny(violations);
    }

    public static void Validate(NotifyDisbursementRequest request)
    {
        var violations = new List<(string Field, string Description)>();
        ValidateHeader(request.Header, violations);
        if (request.TrancheNumber < 1)
        {
            violations.Add(("tranche_number", "The tranche number must be 1 or more."));
        }

        ValidateAmount(request.Amount, "amount", violations);
        switch (request.Status)
        {
            case DisbursementStatus.Paid:
                if (request.FailureReason.Length > 0)
                {
                    violations.Add(("failure_reason", "A paid tranche has no failure reason."));
                }

                if (request.PaidAt is null)
                {
                    violations.Add(("paid_at", "A paid tranche needs the time it was paid."));
                }

                break;
            case DisbursementStatus.Failed:
                if (request.FailureReason.Length is < 1 or > 500)
                {
                    violations.Add(("failure_reason", "A failed tranche needs a failure reason of 1 to 500 characters."));
                }

                if (request.PaidAt is not null)
                {
                    violations.Add(("paid_at", "A failed tranche has no paid time."));
                }

                break;
            default:
                violations.Add(("status", "The status must be PAID or FAILED."));
                break;
        }

        if (!IsMaskedAccount(request.MaskedAccount))
        {
            violations.Add(("masked_account", "The account must be masked: digits, '*' and single spaces, at most the first 6 and the last 4 digits visible."));
        }

        ThrowIfAny(violations);
    }

    internal static bool IsMaskedAccount(string value)
    {
        if (string.IsNullOrEmpty(value) || value.StartsWith(' ') || value.EndsWith(' ') || value.Contains("  ", StringComparison.Ordinal))
        {
            return false;
        }

        var symbols = value.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (symbols.Length == 0 || symbols.Any(c => c is not ('*' or (>= '0' and <= '9'))) || !symbols.Contains('*'))
        {
            return false;
        }

        var visible = 0;
        for (var i = 0; i < symbols.Length; i++)
        {
            if (symbols[i] == '*')
            {
                continue;
            }

            visible++;
            if (i >= 6 && i < symbols.Length - 4)
            {
                return false;
            }
        }

        return visible <= 10;
    }

    private static void ValidateHeader(EventHeader? header, List<(string Field, string Description)> violations)
    {
        if (header is null)
        {
            violations.Add(("header", "The event header is required."));
            return;
        }

        if (!EventId().IsMatch(header.EventId))
        {
            violations.Add(("header.event_id", "The event id must be 1 to 64 characters from [A-Za-z0-9._:-]."));
        }

        if (header.ApplicationId.Length is < 1 or > 128)
        {
            violations.Add(("header.application_id", "The application id is required (at most 128 characters)."));
        }

        if (!BankId().IsMatch(header.BankId))
        {
            violations.Add(("header.bank_id", "The bank id must be 1 to 64 characters from [A-Za-z0-9._-]."));
        }

        if (header.Sequence < 1)
        {
            violations.Add(("header.sequence", "The sequence must be 1 or more."));
        }

        if (header.OccurredAt is null)
        {
            violations.Add(("header.occurred_at", "The time the event occurred is required."));
        }
    }

    private static void ValidateAmount(Money? amount, string field, List<(string Field, string Description)> violations)
    {
        if (amount is null)
        {
            violations.Add((field, "The amount is required."));
            return;
        }

        if (amount.CurrencyCode != "CNY")
        {
            violations.Add(($"{field}.currency_code", "v1 accepts only CNY."));
        }

        if (amount.UnitsMinor <= 0)
        {
            violations.Add(($"{field}.units_minor", "The amount must be more than 0."));
        }
    }

    private static void ThrowIfAny(List<(string Field, string Description)> violations)
    {
        if (violations.Count > 0)
        {
            throw RichStatus.InvalidArgument($"The request is invalid: {string.Join(", ", violations.Select(v => v.Field))}.", [.. violations]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex EventId();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex BankId();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}$")]
    private static partial Regex ReasonCode();
}
