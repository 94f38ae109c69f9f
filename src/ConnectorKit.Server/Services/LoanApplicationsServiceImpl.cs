using System.Security.Cryptography;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Validation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace ConnectorKit.Server.Services;

/// <summary>
/// LoanApplicationsService: idempotent submits, reads, withdrawals and quotes. Applications belong to the platform
/// that submitted them; another platform sees NOT_FOUND.
/// </summary>
internal sealed class LoanApplicationsServiceImpl(
    IConnectorKitStore store,
    RequestValidator validator,
    ApplicationStateMachine stateMachine,
    IPricingPolicy pricingPolicy,
    TimeProvider timeProvider,
    IBankBackend? backend = null) : LoanApplicationsService.LoanApplicationsServiceBase
{
    public override async Task<SubmitApplicationResponse> SubmitApplication(SubmitApplicationRequest request, ServerCallContext context)
    {
        validator.ValidateSubmit(request).ThrowIfInvalid();
        if (await store.IsConsentRevokedAsync(request.Consent.ConsentId, context.CancellationToken).ConfigureAwait(false))
        {
            throw RichStatus.Create(
                StatusCode.FailedPrecondition,
                "The consent was revoked; the enterprise must grant a new one.",
                new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = "CONSENT", Subject = request.Consent.ConsentId, Description = "revoked" } } });
        }

        var platformId = context.GetPlatformIdentity().PlatformId;
        var now = timeProvider.GetUtcNow();
        var applicationId = ApplicationIdFor(platformId, request.RequestId);
        var requestHash = Hash(request);
        if (backend is not null)
        {
            // The bank sees a request once it is new here: a retry or a reused id is answered from the store.
            var existing = await store.GetApplicationAsync(applicationId, context.CancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return AnswerExisting(existing.RequestHash.AsSpan().SequenceEqual(requestHash), existing, request.RequestId);
            }

            await backend.SubmitApplicationAsync(new BankSubmission(applicationId, platformId, request), context.CancellationToken).ConfigureAwait(false);
        }

        var application = new Application
        {
            ApplicationId = applicationId,
            RequestId = request.RequestId,
            EnterpriseCreditCode = request.EnterpriseCreditCode,
            Product = request.Product,
            RequestedAmount = request.RequestedAmount.Clone(),
            TermMonths = request.TermMonths,
            State = ApplicationState.Submitted,
        };
        ApplicationStateMachine.AddTimeline(application, now, "received");
        var response = new SubmitApplicationResponse { Application = application };

        var result = await store.CreateApplicationAsync(
            new NewApplication(application.ApplicationId, platformId, request.RequestId, requestHash, request.EnterpriseCreditCode, application.State, application.ToByteArray(), response.ToByteArray(), now),
            context.CancellationToken).ConfigureAwait(false);

        return result.Created ? response : AnswerExisting(result.SameRequest, result.Application, request.RequestId);
    }

    private static SubmitApplicationResponse AnswerExisting(bool sameRequest, StoredApplication existing, string requestId)
        => sameRequest
            ? SubmitApplicationResponse.Parser.ParseFrom(existing.Response)
            : throw RichStatus.WithErrorInfo(
                StatusCode.AlreadyExists,
                $"request_id '{requestId}' was already used for a different request; use a new request_id for a new application.",
                "REQUEST_ID_REUSED",
                "connectorkit.dev",
                new Dictionary<string, string> { ["request_id"] = requestId });

    public override async Task<GetApplicationResponse> GetApplication(GetApplicationRequest request, ServerCallContext context)
    {
        validator.ValidateGet(request).ThrowIfInvalid();
        var stored = await store.GetApplicationAsync(request.ApplicationId, context.CancellationToken).ConfigureAwait(false);
        if (stored is null || stored.PlatformId != context.GetPlatformIdentity().PlatformId)
        {
            throw NotFound(request.ApplicationId);
        }

        return new GetApplicationResponse { Application = Application.Parser.ParseFrom(stored.Payload) };
    }

    public override async Task<WithdrawApplicationResponse> WithdrawApplication(WithdrawApplicationRequest request, ServerCallContext context)
    {
        validator.ValidateWithdraw(request).ThrowIfInvalid();
        try
        {
            if (backend is not null)
            {
                await WithdrawAtBankAsync(request, context).ConfigureAwait(false);
            }

            var application = await stateMachine.WithdrawAsync(request.ApplicationId, context.GetPlatformIdentity().PlatformId, request.Reason, context.CancellationToken).ConfigureAwait(false);
            return new WithdrawApplicationResponse { Application = application };
        }
        catch (ApplicationNotFoundException)
        {
            throw NotFound(request.ApplicationId);
        }
        catch (ApplicationTransitionException ex)
        {
            throw RichStatus.Create(
                StatusCode.FailedPrecondition,
                ex.Message,
                new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = "STATE", Subject = request.ApplicationId, Description = ex.Message } } });
        }
    }

    public override async Task<QuoteFinancingResponse> QuoteFinancing(QuoteFinancingRequest request, ServerCallContext context)
    {
        validator.ValidateQuote(request).ThrowIfInvalid();
        var now = timeProvider.GetUtcNow();

        // A stored profile counts only while the consent it came under is still valid.
        CreditProfile? profile = null;
        foreach (var stored in await store.GetProfilesAsync(request.EnterpriseCreditCode, context.CancellationToken).ConfigureAwait(false))
        {
            if (stored.ConsentExpiresAt <= now || await store.IsConsentRevokedAsync(stored.ConsentId, context.CancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var candidate = CreditProfile.Parser.ParseFrom(stored.Payload);
            if (profile is null || candidate.AsOf.ToDateTimeOffset() > profile.AsOf.ToDateTimeOffset())
            {
                profile = candidate;
            }
        }

        return await pricingPolicy.QuoteAsync(new QuoteContext(request, profile, now), context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the bank first when the application is still undecided here; the local checks below then decide.</summary>
    private async Task WithdrawAtBankAsync(WithdrawApplicationRequest request, ServerCallContext context)
    {
        var platformId = context.GetPlatformIdentity().PlatformId;
        var stored = await store.GetApplicationAsync(request.ApplicationId, context.CancellationToken).ConfigureAwait(false);
        if (stored is null || stored.PlatformId != platformId)
        {
            throw new ApplicationNotFoundException(request.ApplicationId);
        }

        if (stored.State is ApplicationState.Submitted or ApplicationState.UnderReview or ApplicationState.MoreInfoRequired)
        {
            await backend!.WithdrawApplicationAsync(new BankWithdrawal(request.ApplicationId, platformId, request.Reason), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static RpcException NotFound(string applicationId)
        => RichStatus.Create(StatusCode.NotFound, $"No application '{applicationId}'.", new ResourceInfo { ResourceType = "connectorkit.v1.Application", ResourceName = applicationId });

    /// <summary>The hash that tells a retry (equal request) from a reuse of its id (different request).</summary>
    private static byte[] Hash(SubmitApplicationRequest request) => SHA256.HashData(request.ToByteArray());

    /// <summary>
    /// The same (platform, request id) always gives the same application id, so a connector can hand it to the bank
    /// as an idempotency key before the application is stored. 25 base-32 characters of SHA-256: 125 bits.
    /// </summary>
    internal static string ApplicationIdFor(string platformId, string requestId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(platformId + "\n" + requestId), hash);
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        Span<char> id = stackalloc char[29];
        "APP-".AsSpan().CopyTo(id);
        ulong bits = 0;
        var held = 0;
        var next = 0;
        for (var i = 4; i < id.Length; i++)
        {
            if (held < 5)
            {
                bits = (bits << 8) | hash[next++];
                held += 8;
            }

            held -= 5;
            id[i] = alphabet[(int)((bits >> held) & 31)];
        }

        return new string(id);
    }
}
