using System.Globalization;
using ConnectorKit.Grpc;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>The return_code table of methods.md, in one place.</summary>
internal static class ReturnCodes
{
    public const int Success = 0;
    public const int BadBusinessParameter = 10001;
    public const int NoProfileOrConsent = 10002;
    public const int DuplicateOutBizNo = 20001;
    public const int NotFound = 20002;
    public const int StateConflict = 30001;
    public const int StaleVersion = 30002;
    public const int NotOffered = 40001;
    public const int GatewayBadParameter = 90001;
    public const int GatewayClockSkew = 90002;
    public const int GatewaySignatureFailed = 90003;
    public const int GatewayNotPermitted = 90004;
    public const int GatewayRateLimited = 90005;
    public const int GatewayConcurrencyLimited = 90006;
    public const int GatewayProxyTimeout = -90007;

    public static (AttemptOutcome Outcome, StatusCode Status, string Reason) Classify(int code) => code switch
    {
        Success => (AttemptOutcome.Success, StatusCode.OK, "SUCCESS"),
        GatewayRateLimited => (AttemptOutcome.NotProcessed, StatusCode.ResourceExhausted, "GATEWAY_RATE_LIMITED"),
        GatewayConcurrencyLimited => (AttemptOutcome.NotProcessed, StatusCode.ResourceExhausted, "GATEWAY_CONCURRENCY_LIMITED"),
        GatewayBadParameter => (AttemptOutcome.Final, StatusCode.Internal, "GATEWAY_BAD_PARAMETER"),
        GatewayClockSkew => (AttemptOutcome.Final, StatusCode.Internal, "GATEWAY_CLOCK_SKEW"),
        GatewaySignatureFailed => (AttemptOutcome.Final, StatusCode.Internal, "GATEWAY_SIGNATURE_FAILED"),
        GatewayNotPermitted => (AttemptOutcome.Final, StatusCode.PermissionDenied, "GATEWAY_NOT_PERMITTED"),
        GatewayProxyTimeout => (AttemptOutcome.Unknown, StatusCode.Unavailable, "GATEWAY_PROXY_TIMEOUT"),
        < 0 => (AttemptOutcome.Unknown, StatusCode.Unavailable, "OUTCOME_UNKNOWN"),
        BadBusinessParameter => (AttemptOutcome.Business, StatusCode.InvalidArgument, "BAD_BUSINESS_PARAMETER"),
        NoProfileOrConsent => (AttemptOutcome.Business, StatusCode.FailedPrecondition, "NO_PROFILE_OR_CONSENT"),
        DuplicateOutBizNo => (AttemptOutcome.Business, StatusCode.AlreadyExists, "DUPLICATE_OUT_BIZ_NO"),
        NotFound => (AttemptOutcome.Business, StatusCode.NotFound, "NOT_FOUND"),
        StateConflict => (AttemptOutcome.Business, StatusCode.FailedPrecondition, "STATE_CONFLICT"),
        StaleVersion => (AttemptOutcome.Business, StatusCode.FailedPrecondition, "STALE_VERSION"),
        NotOffered => (AttemptOutcome.Business, StatusCode.FailedPrecondition, "NOT_OFFERED"),
        _ => (AttemptOutcome.Business, StatusCode.FailedPrecondition, "BUSINESS_ERROR"),
    };

    public static RpcException Error(StatusCode status, string reason, int code, string? message, string bankId, string method)
        => RichStatus.WithErrorInfo(
            status,
            $"Bank '{bankId}' answered {method} with return_code {code.ToString(CultureInfo.InvariantCulture)} ({reason}): {message}".TrimEnd(' ', ':'),
            reason,
            bankId,
            new Dictionary<string, string>
            {
                ["return_code"] = code.ToString(CultureInfo.InvariantCulture),
                ["bank_message"] = message ?? string.Empty,
                ["method"] = method,
            });
}
