using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Suites;

/// <summary>Bad input is INVALID_ARGUMENT naming the field, and changes nothing stored.</summary>
[SuiteCategory(ConformanceCategory.Validation)]
public class ValidationSuite : ContractSuite
{
    [ConformanceCase("CK-VAL-001", "a credit code whose GB 32100 check character is wrong is refused, naming the field", Rule = "connectorkit.v1.Enterprise.credit_code")]
    public virtual async Task BadCheckCharacter()
    {
        var profile = ProfileFor(NewCreditCode());
        profile.Enterprise.CreditCode = SampleData.BadCheckCode;
        profile.Consent.EnterpriseCreditCode = SampleData.BadCheckCode;

        var error = await ExpectStatusAsync(StatusCode.InvalidArgument, "PushCreditProfile with credit code failing its check character", () => PushAsync(profile)).ConfigureAwait(false);

        RequireField(FieldsOf(error, "bad check character"), "profile.enterprise.credit_code", "bad check character");
    }

    [ConformanceCase("CK-VAL-002", "a requested amount of zero or less is refused, naming requested_amount", Rule = "connectorkit.v1.SubmitApplicationRequest.requested_amount")]
    public virtual async Task NonPositiveAmount()
    {
        var request = SubmitFor(NewCreditCode());
        request.RequestedAmount.UnitsMinor = -100;

        var error = await ExpectStatusAsync(StatusCode.InvalidArgument, "SubmitApplication for -1.00 CNY", () => SubmitAsync(request)).ConfigureAwait(false);

        RequireField(FieldsOf(error, "negative amount"), "requested_amount", "negative amount");
    }

    [ConformanceCase("CK-VAL-003", "a park guarantee loan above 10,000,000 CNY or longer than 36 months is refused", Rule = "connectorkit.v1.ProductType.PRODUCT_TYPE_PARK_GUARANTEE_LOAN")]
    public virtual async Task ParkGuaranteeLimits()
    {
        var tooMuch = SubmitFor(NewCreditCode(), amountYuan: 10_000_001);
        var tooLong = SubmitFor(NewCreditCode(), termMonths: 37);

        var amount = await ExpectStatusAsync(StatusCode.InvalidArgument, "park guarantee loan of 10,000,001 CNY", () => SubmitAsync(tooMuch)).ConfigureAwait(false);
        var term = await ExpectStatusAsync(StatusCode.InvalidArgument, "park guarantee loan over 37 months", () => SubmitAsync(tooLong)).ConfigureAwait(false);

        RequireField(FieldsOf(amount, "10,000,001 CNY"), "requested_amount", "10,000,001 CNY");
        RequireField(FieldsOf(term, "37 months"), "term_months", "37 months");
    }

    [ConformanceCase("CK-VAL-004", "a submit without a request id is refused, naming request_id", Rule = "connectorkit.v1.SubmitApplicationRequest.request_id")]
    public virtual async Task MissingRequestId()
    {
        var request = SubmitFor(NewCreditCode());
        request.RequestId = string.Empty;

        var error = await ExpectStatusAsync(StatusCode.InvalidArgument, "SubmitApplication without request_id", () => SubmitAsync(request)).ConfigureAwait(false);

        RequireField(FieldsOf(error, "missing request_id"), "request_id", "missing request_id");
    }

    [ConformanceCase("CK-VAL-005", "a refused profile is not stored: a later valid version below it still applies", Rule = "design: a bad request never changes stored state")]
    public virtual async Task RefusedProfileNotStored()
    {
        var code = NewCreditCode();
        var bad = ProfileFor(code, version: 9);
        bad.Enterprise.DivisionCode = "31011";

        await ExpectStatusAsync(StatusCode.InvalidArgument, "PushCreditProfile with a 5-digit division code", () => PushAsync(bad)).ConfigureAwait(false);
        var good = await PushAsync(ProfileFor(code, version: 3)).ConfigureAwait(false);

        Require(good.Outcome == ProfileOutcome.Applied, $"Version 3 came back {good.Outcome} (stored version {good.StoredVersion}) after version 9 was refused: the refused profile changed what is stored.");
    }

    [ConformanceCase("CK-VAL-006", "a refused application is not created: the same request id, corrected, creates it", Rule = "design: a bad request never changes stored state")]
    public virtual async Task RefusedApplicationNotCreated()
    {
        var code = NewCreditCode();
        await PushAsync(ProfileFor(code)).ConfigureAwait(false);
        var request = SubmitFor(code);
        var bad = request.Clone();
        bad.TermMonths = 0;

        await ExpectStatusAsync(StatusCode.InvalidArgument, "SubmitApplication for 0 months", () => SubmitAsync(bad)).ConfigureAwait(false);
        var created = await SubmitAsync(request).ConfigureAwait(false);

        Require(created.State == ApplicationState.Submitted, $"The corrected request came back {created.State.ToContractName()}; expected SUBMITTED.");
    }
}
