namespace ConnectorKit.Contracts.Tests.ContractDoc;

/// <summary>One status an rpc answers, when, and the test that shows the reference implementation doing it.</summary>
/// <param name="Code">The gRPC status name as the proto comments spell it, e.g. "FAILED_PRECONDITION".</param>
/// <param name="When">What the caller did or what happened, in one sentence.</param>
/// <param name="ShownBy">"Class.Method" of a test under tests/, or null when no test shows it yet.</param>
internal sealed record StatusRow(string Code, string When, string? ShownBy);

/// <summary>
/// The statuses of every rpc, checked in because the proto comments state them in prose. The generator refuses a
/// table that leaves out an rpc, names one that does not exist, lists a code its proto comments never mention, or
/// misses a code they do mention, so this table and the proto cannot drift apart.
/// </summary>
internal static class ContractStatuses
{
    /// <summary>Codes every rpc of a service may answer, keyed by service name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> Services { get; } = new Dictionary<string, IReadOnlyList<StatusRow>>
    {
        ["CreditDataService"] =
        [
            new("UNAUTHENTICATED", "No bearer token, an unknown one, or a client certificate the bank does not trust.", "PlatformAuthenticationInterceptorTests.Call_MissingBearerToken_Unauthenticated"),
            new("PERMISSION_DENIED", "The caller is not a platform the bank accepts; ConnectorKit.Server answers it when the client certificate and the bearer token name different platforms.", "MutualTlsTests.Call_CertificateAndTokenOfDifferentPlatforms_PermissionDenied"),
            new("RESOURCE_EXHAUSTED", "A message above the receive limit (4 MiB by default, also after gzip inflation), or a rate limit; the client's own concurrency limit answers it without calling.", "ResilienceTests.PushCreditProfile_OverConcurrencyLimit_FailsResourceExhaustedWithoutReachingServer"),
            new("UNAVAILABLE", "The bank, or the bank's API behind a connector, cannot serve now. Retry with backoff; ConnectorKit.Client does, and opens its circuit breaker when it persists.", "ResilienceTests.PushCreditProfile_RepeatedUnavailable_BreakerOpensFailsFastThenRecovers"),
            new("DEADLINE_EXCEEDED", "The call's deadline passed; ConnectorKit.Client keeps retries within one deadline.", "ResilienceTests.PushCreditProfile_ServerSlowerThanDeadline_FailsDeadlineExceededNearDeadlineNotPerAttempt"),
        ],
        ["LoanApplicationsService"] =
        [
            new("INVALID_ARGUMENT", "Malformed input; a BadRequest detail names each bad field. Nothing is stored.", "BadInputTests.SubmitApplication_InvalidCreditCode_InvalidArgumentAndNothingStored"),
            new("UNAUTHENTICATED", "No bearer token, an unknown one, or a client certificate the bank does not trust.", "PlatformAuthenticationInterceptorTests.Unary_UnknownBearerToken_UnauthenticatedAndTokenInNoMessageOrLog"),
            new("PERMISSION_DENIED", "The caller is not a platform the bank accepts. Another platform's application is NOT_FOUND, not PERMISSION_DENIED, so that its existence does not leak.", "MutualTlsTests.Call_CertificateAndTokenOfDifferentPlatforms_PermissionDenied"),
            new("RESOURCE_EXHAUSTED", "A message above the receive limit (4 MiB by default, also after gzip inflation), or the platform's rate limit at the bank (ConnectorKit.Server: `ConnectorKit:Server:RateLimit`), with a RetryInfo saying when to come back; ConnectorKit.Client waits that long before it retries.", "PlatformRateLimitTests.Calls_AboveOnePlatformsBurst_ResourceExhaustedWithRetryInfoWhileTheOtherPlatformIsServed"),
            new("UNAVAILABLE", "The bank cannot serve now. Retry with backoff; ConnectorKit.Client retries the safe calls.", "ResilienceTests.GetApplication_TransientFailures_RetriedUntilSuccess"),
            new("DEADLINE_EXCEEDED", "The call's deadline passed. For SubmitApplication the outcome is then unknown: retry with the same request_id, as ConnectorKit.Client does when an answer is lost.", "ResilienceTests.SubmitApplication_FirstResponseLost_RetriesWithSameRequestIdAndCreatesOneApplication"),
        ],
        ["LoanEventsService"] =
        [
            new("INVALID_ARGUMENT", "Malformed callback; a BadRequest detail names each bad field. Step 1 of the receiver's checks.", "LoanEventsReceiverTests.NotifyApprovalDecision_InvalidInput_InvalidArgumentNamingField"),
            new("UNAUTHENTICATED", "No or invalid credentials of the calling bank.", "LoanEventsReceiverTests.Notify_WithoutToken_Unauthenticated"),
            new("PERMISSION_DENIED", "header.bank_id is not the authenticated bank, or the application is another bank's. Step 2.", "LoanEventsReceiverTests.Notify_BankBEventOnBankAApplication_PermissionDenied"),
            new("NOT_FOUND", "No application the platform submitted has this bank and application id. Step 3.", "LoanEventsReceiverTests.Notify_UnknownApplication_NotFound"),
            new("ALREADY_EXISTS", "The event id was seen before with a different request. Step 4. (An equal request answers OK with duplicate = true.)", "LoanEventsReceiverTests.Notify_ReusedEventIdWithDifferentRequest_AlreadyExists"),
            new("FAILED_PRECONDITION", "header.sequence is not one more than the last applied (the message names the expected one), or the state machine refuses the event. Steps 5 and 6; nothing changes.", "LoanEventsReceiverTests.Notify_SequenceThreeBeforeTwo_FailedPreconditionNamingTwoThenAppliesAfterTwo"),
            new("RESOURCE_EXHAUSTED", "A message above the receive limit, or the bank's rate limit. The sender retries the same event, as the outbox of ConnectorKit.Server does.", "DeliveryPolicyTests.Classify_Status_GivesTheDocumentedVerdict"),
            new("UNAVAILABLE", "The platform cannot take the event now (ConnectorKit.Client answers it when the application's handler throws). The sender retries the same event.", "LoanEventsReceiverTests.Notify_HandlerThrows_UnavailableThenRedeliveryAppliedOnce"),
            new("DEADLINE_EXCEEDED", "The call's deadline passed. The sender retries the same event, as the outbox of ConnectorKit.Server does; a redelivery is answered duplicate = true if the first got through.", "DeliveryPolicyTests.Classify_Status_GivesTheDocumentedVerdict"),
        ],
    };

    /// <summary>Codes particular to one rpc, keyed "Service.Rpc"; "OK" rows say what success looks like.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> Rpcs { get; } = new Dictionary<string, IReadOnlyList<StatusRow>>
    {
        ["CreditDataService.PushCreditProfile"] =
        [
            new("OK", "outcome APPLIED (newer version stored) or STALE (version not newer than the stored one; nothing changed).", "BankServerTests.PushCreditProfile_NewerVersion_IsAppliedAndOlderIsStale"),
            new("INVALID_ARGUMENT", "Malformed profile, e.g. a credit code whose check character is wrong; nothing is stored.", "BankServerTests.PushCreditProfile_BadCheckCharacter_InvalidArgumentNamingFieldAndNothingStored"),
            new("FAILED_PRECONDITION", "No consent, or one not valid for this bank, enterprise and CONSENT_SCOPE_CREDIT_PROFILE (expired, not yet granted, revoked, other grantee or enterprise).", "BankServerTests.PushCreditProfile_ConsentForAnotherBank_FailedPreconditionAndNothingStored"),
        ],
        ["CreditDataService.StreamCreditProfiles"] =
        [
            new("OK", "One summary: applied, stale and rejected counts, and the first 100 rejections with index, field and reason. Bad profiles do not fail the call.", "BankServerTests.StreamCreditProfiles_ManyWithSomeInvalid_SummaryCountsAndNamesRejections"),
            new("CANCELLED", "The client cancelled the stream; profiles applied before that stay applied.", null),
        ],
        ["CreditDataService.RevokeConsent"] =
        [
            new("OK", "profile_deleted when a profile was stored under the consent; already_revoked on a repeat. Later requests carrying the consent get FAILED_PRECONDITION.", "BankServerTests.RevokeConsent_DeletesProfileAndBlocksItUntilNewConsent"),
            new("INVALID_ARGUMENT", "Malformed request, or enterprise_credit_code is not the enterprise the bank knows the consent for (from a profile pushed under it or an earlier revocation); nothing is revoked.", "BankServerTests.RevokeConsent_OtherEnterprisesCreditCode_InvalidArgumentNamingFieldAndProfileKept"),
        ],
        ["LoanApplicationsService.SubmitApplication"] =
        [
            new("OK", "The application in SUBMITTED. A retry with the same request_id and an equal payload, even a concurrent one, gets the first answer and creates nothing.", "BankServerTests.SubmitApplication_Retried_ReturnsFirstAnswerAndOneApplication"),
            new("ALREADY_EXISTS", "The request_id was used for a different payload (ErrorInfo reason REQUEST_ID_REUSED); nothing changes.", "BankServerTests.SubmitApplication_SameRequestIdOtherPayload_AlreadyExistsAndUnchanged"),
            new("FAILED_PRECONDITION", "No consent, or one not valid for this bank, enterprise and CONSENT_SCOPE_LOAN_APPLICATION; a PreconditionFailure detail lists each fault.", "RequestValidatorConsentTests.ValidateSubmit_ConsentWithoutLoanScope_FailedPrecondition"),
            new("UNAVAILABLE", "A server that cannot wait for a first request with the same request_id that is still in progress; retry with the same id. ConnectorKit.Server does not answer it: concurrent duplicates all get the first answer.", "BankServerTests.SubmitApplication_ConcurrentDuplicates_CreateExactlyOneApplication"),
        ],
        ["LoanApplicationsService.GetApplication"] =
        [
            new("OK", "The application with its state and full timeline.", "BankServerTests.Decisions_ApproveAndTwoTranches_TimelineAndCallbacksInOrder"),
            new("NOT_FOUND", "No application with this id (ConnectorKit.Server answers the same for another platform's application); a ResourceInfo detail names it.", "BankServerTests.GetApplication_Unknown_NotFound"),
        ],
        ["LoanApplicationsService.WithdrawApplication"] =
        [
            new("OK", "The application in WITHDRAWN; withdrawing it again answers the same.", "BankServerTests.WithdrawApplication_BeforeAndAfterDecision_WithdrawnThenFailedPrecondition"),
            new("FAILED_PRECONDITION", "The application is already decided (APPROVED, REJECTED, DISBURSED or CLOSED); nothing changes.", "BankServerTests.WithdrawApplication_BeforeAndAfterDecision_WithdrawnThenFailedPrecondition"),
            new("NOT_FOUND", "No application with this id.", null),
        ],
        ["LoanApplicationsService.QuoteFinancing"] =
        [
            new("OK", "An indicative limit, rate, guarantee fee and subsidy cap; stores nothing.", "BankServerTests.QuoteFinancing_WithStoredProfile_UsesGradeAndRevenueCap"),
        ],
        ["LoanEventsService.NotifyApprovalDecision"] =
        [
            new("OK", "duplicate = false when applied, true when the same event was applied before.", "LoanEventsReceiverTests.Notify_DuplicateEvent_AnswersDuplicateWithoutCallingHandlerAgain"),
            new("FAILED_PRECONDITION", "The application is no longer undecided (APPROVED, REJECTED, WITHDRAWN, DISBURSED or CLOSED).", "LoanEventsReceiverTests.NotifyApprovalDecision_AfterRejection_FailedPrecondition"),
        ],
        ["LoanEventsService.NotifyDisbursement"] =
        [
            new("OK", "duplicate = false when applied (a PAID tranche adds to disbursed_total), true for a redelivery.", "LoanEventsReceiverTests.Notify_InOrderEvents_AppliedAndHandlerCalledOncePerEvent"),
            new("FAILED_PRECONDITION", "A disbursement before approval, a tranche number out of turn, or paid tranches adding up to more than the approved amount.", "LoanEventsReceiverTests.NotifyDisbursement_AboveApprovedAmount_FailedPreconditionAndNothingChanges"),
        ],
    };
}
