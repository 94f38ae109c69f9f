using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>
/// The consent check every data-bearing rpc shares. Malformed fields are field violations; a well-formed consent that
/// does not cover the call (other bank, other enterprise, scope missing, not yet granted, expired) is a failed precondition.
/// Revocation is not checked here: it needs the store.
/// </summary>
internal static class ConsentRules
{
    /// <param name="rpc">What needs the consent, for descriptions: an rpc name or "sharing a credit profile".</param>
    /// <param name="callEnterprise">The enterprise of the call; null when the request does not name one usably.</param>
    public static void Check(ValidationScope scope, FieldPath field, Consent? consent, ConsentScope needed, string rpc, string? callEnterprise)
    {
        var neededName = ProtoEnum<ConsentScope>.Name(needed);
        if (consent is null)
        {
            var path = field.ToString();
            scope.AddPreconditionFailure(
                ValidationResult.ConsentPreconditionType,
                path,
                $"No consent was sent in {path}; {rpc} needs the enterprise's consent with scope {neededName}.");
            return;
        }

        var violationsBefore = scope.ViolationCount;
        scope.CheckIdentifier(field.Field("consent_id"), consent.ConsentId, Identifiers.IdPunctuation);
        scope.CheckCreditCode(field.Field("enterprise_credit_code"), consent.EnterpriseCreditCode);
        CheckScopes(scope, field, consent);
        scope.CheckIdentifier(field.Field("grantee_bank_id"), consent.GranteeBankId, Identifiers.CodePunctuation);
        scope.CheckText(field.Field("purpose"), consent.Purpose, 1, 500);
        var hasGrantedAt = scope.CheckTimestamp(field.Field("granted_at"), consent.GrantedAt, out var grantedAt);
        var hasExpiresAt = scope.CheckTimestamp(field.Field("expires_at"), consent.ExpiresAt, out var expiresAt);
        if (hasGrantedAt && hasExpiresAt && expiresAt <= grantedAt)
        {
            scope.AddViolation(
                field.Field("expires_at"),
                $"must be later than granted_at ({ValidationScope.FormatInstant(grantedAt)}); got {ValidationScope.FormatInstant(expiresAt)}");
        }

        // Whether a malformed consent would also cover the call is moot: it is INVALID_ARGUMENT either way.
        if (scope.ViolationCount != violationsBefore)
        {
            return;
        }

        var subject = consent.ConsentId;
        void Fail(string description) => scope.AddPreconditionFailure(ValidationResult.ConsentPreconditionType, subject, description);

        if (!string.Equals(consent.GranteeBankId, scope.BankId, StringComparison.Ordinal))
        {
            Fail($"Consent {subject} was granted to bank '{consent.GranteeBankId}', not to this bank '{scope.BankId}'.");
        }

        if (callEnterprise is not null && !string.Equals(consent.EnterpriseCreditCode, callEnterprise, StringComparison.Ordinal))
        {
            Fail($"Consent {subject} was granted by enterprise {UnifiedSocialCreditCode.Mask(consent.EnterpriseCreditCode)}, "
                + $"not by the enterprise of this call, {UnifiedSocialCreditCode.Mask(callEnterprise)}.");
        }

        if (!consent.Scopes.Contains(needed))
        {
            Fail($"Consent {subject} does not include scope {neededName}, which {rpc} needs.");
        }

        if (grantedAt > scope.Now + scope.ClockSkew)
        {
            Fail($"Consent {subject} is not yet valid: granted_at {ValidationScope.FormatInstant(grantedAt)} is later than this server's clock "
                + $"({ValidationScope.FormatInstant(scope.Now)}) plus the allowed skew of {ValidationScope.FormatDuration(scope.ClockSkew)}.");
        }

        if (expiresAt <= scope.Now)
        {
            Fail($"Consent {subject} expired at {ValidationScope.FormatInstant(expiresAt)}; this server's clock reads {ValidationScope.FormatInstant(scope.Now)}.");
        }
    }

    private static void CheckScopes(ValidationScope scope, FieldPath field, Consent consent)
    {
                if (consent.Scopes.Count == 0)
        {
            scope.AddViolation(field.Field("scopes"), $"must name at least one scope: {ProtoEnum<ConsentScope>.NonZeroNames}");
            return;
        }

        for (var i = 0; i < consent.Scopes.Count; i++)
        {
            var itemField = field.Item("scopes", i);
            if (!scope.CheckRequiredEnum(itemField, consent.Scopes[i]))
            {
                continue;
            }

            var first = consent.Scopes.IndexOf(consent.Scopes[i]);
            if (first < i)
            {
                scope.AddViolation(itemField, $"repeats {ProtoEnum<ConsentScope>.Name(consent.Scopes[i])}, already at {field.Item("scopes", first)}; each scope may appear once");
            }
        }
    }
}
