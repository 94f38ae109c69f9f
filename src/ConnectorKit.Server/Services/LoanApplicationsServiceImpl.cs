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
    TimeProvider timeProvider) : LoanApplicationsService.LoanApplicationsServiceBase
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
        var application = new Application
        {
            ApplicationId = NewApplicationId(now),
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
            new NewApplication(application.ApplicationId, platformId, request.RequestId, Hash(request), request.EnterpriseCreditCode, application.State, application.ToByteArray(), response.ToByteArray(), now),
            context.CancellationToken).ConfigureAwait(false);

        if (result.Created)
        {
            return response;
        }

        if (!result.SameRequest)
        {
            throw RichStatus.WithErrorInfo(
                StatusCode.AlreadyExists,
                $"request_id '{request.RequestId}' was already used for a different request; use a new request_id for a new application.",
                "REQUEST_ID_REUSED",
                "connectorkit.dev",
                new Dictionary<string, string> { ["request_id"] = request.RequestId });
        }

        return SubmitApplicationResponse.Parser.ParseFrom(result.Application.Response);
    }

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

    private static RpcException NotFound(string applicationId)
        => RichStatus.Create(StatusCode.NotFound, $"No application '{applicationId}'.", new ResourceInfo { ResourceType = "connectorkit.v1.Application", ResourceName = applicationId });

    /// <summary>The hash that tells a retry (equal request) from a reuse of its id (different request).</summary>
    private static byte[] Hash(SubmitApplicationRequest request) => SHA256.HashData(request.ToByteArray());

    private static string NewApplicationId(DateTimeOffset now) => $"APP-{now:yyyyMMdd}-{Guid.NewGuid():N}"[..29].ToUpperInvariant();
}
