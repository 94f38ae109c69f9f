using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Validation.Internal;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Validation;

/// <summary>
/// Checks requests against the field rules of the v1 contract and the consent they carry, before anything is stored.
/// Reads the clock from <see cref="TimeProvider"/>; logs (masked) every credit code accepted under
/// <see cref="CreditCodePolicy.AcceptWithWarning"/>. Revocation of a consent needs the store and is not checked here.
/// </summary>
public sealed class RequestValidator
{
    private readonly ConnectorKitServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RequestValidator> _logger;

    public RequestValidator(ConnectorKitServerOptions options, TimeProvider timeProvider, ILogger<RequestValidator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// A credit profile, with its consent for scope CONSENT_SCOPE_CREDIT_PROFILE. Field paths start with
    /// <paramref name="fieldPrefix"/> (empty for none); a null profile is a violation at the prefix.
    /// </summary>
    public ValidationResult ValidateProfile(CreditProfile? profile, string fieldPrefix = "profile")
    {
        ArgumentNullException.ThrowIfNull(fieldPrefix);

        var scope = NewScope();
        ProfileRules.Check(scope, fieldPrefix, profile);
        return scope.ToResult();
    }

    /// <summary>SubmitApplication, with its consent for scope CONSENT_SCOPE_LOAN_APPLICATION and the product limits.</summary>
    public ValidationResult ValidateSubmit(SubmitApplicationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var scope = NewScope();
        ApplicationRules.CheckSubmit(scope, request);
        return scope.ToResult();
    }

    /// <summary>QuoteFinancing. It carries no consent.</summary>
    public ValidationResult ValidateQuote(QuoteFinancingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var scope = NewScope();
        ApplicationRules.CheckQuote(scope, request);
        return scope.ToResult();
    }

    /// <summary>RevokeConsent: the format of its fields. Whether the code matches the stored consent is the store's check.</summary>
    public ValidationResult ValidateRevoke(RevokeConsentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var scope = NewScope();
        ApplicationRules.CheckRevoke(scope, request);
        return scope.ToResult();
    }

    /// <summary>GetApplication: an application id in the format the bank assigns them.</summary>
    public ValidationResult ValidateGet(GetApplicationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var scope = NewScope();
        ApplicationRules.CheckApplicationId(scope, request.ApplicationId);
        return scope.ToResult();
    }

    /// <summary>WithdrawApplication: the application id and the optional reason.</summary>
    public ValidationResult ValidateWithdraw(WithdrawApplicationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var scope = NewScope();
        ApplicationRules.CheckApplicationId(scope, request.ApplicationId);
        ApplicationRules.CheckWithdrawReason(scope, request.Reason);
        return scope.ToResult();
    }

    private ValidationScope NewScope() => new(_options, _timeProvider.GetUtcNow(), _logger);
}
