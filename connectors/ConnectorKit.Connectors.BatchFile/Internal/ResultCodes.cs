namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>What a return record's result code asks the connector to do (the table in record-layouts.md).</summary>
internal enum ResultAction
{
    Approve,
    StartReview,
    MoreInfo,
    Reject,
    CancellationConfirmed,
    Paid,
    PaymentFailed,
}

internal sealed record ResultCode(string Code, ResultAction Action, string Reason);

internal static class ResultCodes
{
    private static readonly Dictionary<string, ResultCode> DecisionCodes = new ResultCode[]
    {
        new("0000", ResultAction.Approve, "APPROVED"),
        new("0001", ResultAction.StartReview, "UNDER_REVIEW"),
        new("0002", ResultAction.CancellationConfirmed, "CANCELLATION_CONFIRMED"),
        new("1001", ResultAction.MoreInfo, "MORE_INFO_REQUIRED"),
        new("2001", ResultAction.Reject, "CREDIT_GRADE_TOO_LOW"),
        new("2002", ResultAction.Reject, "INSUFFICIENT_REVENUE"),
        new("2003", ResultAction.Reject, "TRUST_BREAKING_RECORD"),
        new("2004", ResultAction.Reject, "CONSENT_INVALID"),
        new("2005", ResultAction.Reject, "DUPLICATE_APPLICATION"),
        new("2099", ResultAction.Reject, "POLICY_DECLINED"),
        new("9001", ResultAction.Reject, "REQUEST_RECORD_INVALID"),
    }.ToDictionary(c => c.Code, StringComparer.Ordinal);

    private static readonly Dictionary<string, ResultCode> DisbursementCodes = new ResultCode[]
    {
        new("0000", ResultAction.Paid, "PAID"),
        new("3002", ResultAction.PaymentFailed, "ACCOUNT_CLOSED"),
        new("3003", ResultAction.PaymentFailed, "NO_ACCOUNT"),
        new("3004", ResultAction.PaymentFailed, "INVALID_ACCOUNT_NUMBER"),
        new("3016", ResultAction.PaymentFailed, "ACCOUNT_FROZEN"),
    }.ToDictionary(c => c.Code, StringComparer.Ordinal);

    public static ResultCode? Decision(string code) => DecisionCodes.GetValueOrDefault(code);

    public static ResultCode? Disbursement(string code) => DisbursementCodes.GetValueOrDefault(code);
}
