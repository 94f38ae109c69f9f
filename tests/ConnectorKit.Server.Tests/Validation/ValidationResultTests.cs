using ConnectorKit.Grpc;
using ConnectorKit.Server.Validation;
using Google.Rpc;
using static ConnectorKit.Server.Tests.Validation.TestRequests;

namespace ConnectorKit.Server.Tests.Validation;

public sealed class ValidationResultTests
{
    [Fact]
    public void ThrowIfInvalid_ManyFaults_OneInvalidArgumentWithEveryViolation()
    {
        var profile = Profile();
        profile.Enterprise.CreditCode = "91310110666007217";
        profile.Score = -5;
        profile.Dimensions[2].Code = "";
        var result = Validator().ValidateProfile(profile);

        var exception = Assert.Throws<RpcException>(result.ThrowIfInvalid);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        var badRequest = exception.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(
            ["profile.enterprise.credit_code", "profile.score", "profile.dimensions[2].code"],
            badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal(result.Violations.Select(v => v.Description), badRequest.FieldViolations.Select(v => v.Description));
        Assert.Equal(
            "Invalid request: profile.enterprise.credit_code must be 18 characters from 0-9 and A-Z without I, O, S, V, Z; got 17 "
            + "(and 2 more problems in the details).",
            exception.Status.Detail);
    }

    [Fact]
    public void ToException_SentThroughTrailers_ReceiverDecodesTheSameBadRequest()
    {
        var request = Submit();
        request.TermMonths = 0;
        request.Purpose = "";
        var sent = Validator().ValidateSubmit(request).ToException();

        var received = new RpcException(sent.Status, sent.Trailers);

        var badRequest = received.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(["term_months", "purpose"], badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal((int)StatusCode.InvalidArgument, received.RichStatus!.Code);
    }

    [Fact]
    public void ToException_PreconditionOnly_FailedPreconditionWithMessageOfTheFirst()
    {
        var request = Submit();
        request.Consent.ExpiresAt = At(Now.AddSeconds(-1));
        var result = Validator().ValidateSubmit(request);

        var exception = result.ToException();

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        Assert.Equal("Consent consent-2025:0001 expired at 2025-06-01T07:59:59Z; this server's clock reads 2025-06-01T08:00:00Z.", exception.Status.Detail);
        var failure = Assert.Single(exception.GetDetail<PreconditionFailure>()!.Violations);
        Assert.Equal(("CONSENT", ConsentId), (failure.Type, failure.Subject));
    }

    [Fact]
    public void ToException_OneViolation_MessageEndsWithoutCount()
    {
        var result = new ValidationResult([("request_id", "is required")], []);

        var exception = result.ToException();

        Assert.Equal("Invalid request: request_id is required.", exception.Status.Detail);
    }

    [Fact]
    public void ToException_Valid_Throws()
    {
        var result = Validator().ValidateSubmit(Submit());

        Assert.True(result.IsValid);
        Assert.Throws<InvalidOperationException>(() => result.ToException());
    }

    [Fact]
    public void ThrowIfInvalid_Valid_DoesNotThrow()
    {
        var result = Validator().ValidateProfile(Profile());

        var exception = Record.Exception(result.ThrowIfInvalid);

        Assert.Null(exception);
        Assert.Equal(string.Empty, result.Message);
    }
}
