using ConnectorKit.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Contracts.Tests.ContractDoc;

/// <summary>An rpc's example: the request messages (several for a client stream) and the answer.</summary>
internal sealed record RpcExample(IReadOnlyList<IMessage> Requests, IMessage Response);

/// <summary>
/// Example calls for docs/contract.md, built as real messages so their JSON is valid by construction. The
/// requests are written to pass ConnectorKit.Server's validation at <see cref="Now"/> for bank <see cref="BankId"/>,
/// and the callbacks the receiver's input checks; a test holds them to it.
/// </summary>
internal static class ContractExamples
{
    public const string BankId = "bank-east-01";

    public static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private const string CreditCode = "91310110666007217T";
    private const string GuarantorCode = "91310000MA1FL0GU4R";
    private const string ApplicationId = "AP7K2M9Q4X8B1C5D6E3F0G2H";

    public static IReadOnlyDictionary<string, RpcExample> All { get; } = new Dictionary<string, RpcExample>
    {
        ["CreditDataService.PushCreditProfile"] = new(
            [new PushCreditProfileRequest { Profile = Profile(version: 7) }],
            new PushCreditProfileResponse { Outcome = ProfileOutcome.Applied, StoredVersion = 7 }),
        ["CreditDataService.StreamCreditProfiles"] = new(
            [
                new StreamCreditProfilesRequest { Profile = Profile(version: 7) },
                new StreamCreditProfilesRequest { Profile = Profile(version: 8) },
            ],
            new StreamCreditProfilesResponse
            {
                AppliedCount = 9_998,
                StaleCount = 1,
                RejectedCount = 1,
                Rejections = { new ProfileRejection { Index = 420, CreditCode = "91310110666007217A", Field = "profile.enterprise.credit_code", Reason = "check character mismatch" } },
            }),
        ["CreditDataService.RevokeConsent"] = new(
            [new RevokeConsentRequest { ConsentId = "consent-2026-000123", EnterpriseCreditCode = CreditCode, RevokedAt = At(-10) }],
            new RevokeConsentResponse { AlreadyRevoked = false, ProfileDeleted = true }),
        ["LoanApplicationsService.SubmitApplication"] = new(
            [Submit()],
            new SubmitApplicationResponse { Application = Submitted() }),
        ["LoanApplicationsService.GetApplication"] = new(
            [new GetApplicationRequest { ApplicationId = ApplicationId }],
            new GetApplicationResponse { Application = Disbursed() }),
        ["LoanApplicationsService.WithdrawApplication"] = new(
            [new WithdrawApplicationRequest { ApplicationId = ApplicationId, Reason = "Financed by the shareholders instead" }],
            new WithdrawApplicationResponse { Application = Withdrawn() }),
        ["LoanApplicationsService.QuoteFinancing"] = new(
            [new QuoteFinancingRequest { EnterpriseCreditCode = CreditCode, Product = ProductType.ParkGuaranteeLoan, RequestedAmount = Cny(300_000_000), TermMonths = 24, AnnualRevenue = Cny(1_850_000_000) }],
            new QuoteFinancingResponse
            {
                IndicativeLimit = Cny(300_000_000),
                AnnualRateBp = 345,
                GuaranteeFeeBp = 10,
                SubsidyCapBp = 300,
                Explanations = { "Grade GOOD: 20 bp discount", "Revenue below 20,000,000 CNY: subsidy up to 300 bp" },
                ValidUntil = At(7 * 24 * 60),
            }),
        ["LoanEventsService.NotifyApprovalDecision"] = new(
            [
                new NotifyApprovalDecisionRequest
                {
                    Header = Header("evt-5f0c9b2e-approval", sequence: 1, minutes: 30),
                    Approved = Terms(),
                },
            ],
            new NotifyApprovalDecisionResponse { Duplicate = false }),
        ["LoanEventsService.NotifyDisbursement"] = new(
            [
                new NotifyDisbursementRequest
                {
                    Header = Header("evt-5f0c9b2e-tranche-1", sequence: 2, minutes: 90),
                    TrancheNumber = 1,
                    Amount = Cny(100_000_000),
                    Status = DisbursementStatus.Paid,
                    MaskedAccount = "6222 **** **** 1234",
                    PaidAt = At(90),
                },
            ],
            new NotifyDisbursementResponse { Duplicate = false }),
    };

    public static Consent Consent(ConsentScope scope) => new()
    {
        ConsentId = scope == ConsentScope.CreditProfile ? "consent-2026-000123" : "consent-2026-000124",
        EnterpriseCreditCode = CreditCode,
        Scopes = { scope },
        GranteeBankId = BankId,
        Purpose = "Credit assessment for working-capital loans",
        GrantedAt = At(-30 * 24 * 60),
        ExpiresAt = At(335 * 24 * 60),
    };

    private static CreditProfile Profile(long version) => new()
    {
        Enterprise = new Enterprise
        {
            CreditCode = CreditCode,
            Name = "上海示例精密机械有限公司",
            DivisionCode = "310110",
            IndustryCode = "C3422",
            Size = EnterpriseSize.Small,
            AnnualRevenue = Cny(1_850_000_000),
        },
        Consent = Consent(ConsentScope.CreditProfile),
        Version = version,
        Grade = CreditGrade.Good,
        Score = 742,
        Dimensions =
        {
            new CreditDimension { Group = DimensionGroup.TrustKeeping, Code = "tax", Value = "A", Level = DimensionLevel.Positive, Description = "Tax credit rating of the latest year", ObservedAt = At(-40 * 24 * 60) },
            new CreditDimension { Group = DimensionGroup.Other, Code = "power", Value = "36", Level = DimensionLevel.Neutral, Description = "Months of electricity bills paid on time", ObservedAt = At(-3 * 24 * 60) },
        },
        InnovationPoints = new InnovationPoints
        {
            TotalPoints = 68,
            Indicators = { new InnovationIndicator { Code = "patent.invention", Name = "Invention patents granted", Points = 24, National = true } },
        },
        Source = "sh-credit-platform",
        AsOf = At(-60),
    };

    private static SubmitApplicationRequest Submit() => new()
    {
        RequestId = "6f1c2a9e-3b7d-4e58-9a0c-1d2e3f4a5b6c",
        EnterpriseCreditCode = CreditCode,
        Consent = Consent(ConsentScope.LoanApplication),
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = Cny(300_000_000),
        TermMonths = 24,
        Purpose = "Purchase of raw materials",
        Guarantee = Guarantee(),
        Subsidy = new InterestSubsidy { RateBp = 150, AnnualRevenue = Cny(1_850_000_000), ProgramCode = "sh-sme-2026" },
        Contact = new Contact { Name = "张伟", Phone = "13812345678" },
    };

    private static Guarantee Guarantee() => new() { GuarantorName = "上海示例融资担保有限公司", GuarantorCreditCode = GuarantorCode, FeeRateBp = 10 };

    private static ApprovedTerms Terms() => new()
    {
        Amount = Cny(250_000_000),
        AnnualRateBp = 345,
        TermMonths = 24,
        Conditions = { "Open a settlement account with the bank" },
        Guarantee = Guarantee(),
    };

    private static Application Submitted() => new()
    {
        ApplicationId = ApplicationId,
        RequestId = "6f1c2a9e-3b7d-4e58-9a0c-1d2e3f4a5b6c",
        EnterpriseCreditCode = CreditCode,
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = Cny(300_000_000),
        TermMonths = 24,
        State = ApplicationState.Submitted,
        Timeline = { Entry(ApplicationState.Submitted, 0, 1, "received") },
        DisbursedTotal = Cny(0),
    };

    private static Application Disbursed()
    {
        var application = Submitted();
        application.State = ApplicationState.Disbursed;
        application.Timeline.Add(Entry(ApplicationState.UnderReview, 5, 2, "review started"));
        application.Timeline.Add(Entry(ApplicationState.Approved, 30, 3, string.Empty));
        application.Timeline.Add(Entry(ApplicationState.Disbursed, 90, 4, "tranche 1 paid"));
        application.ApprovedTerms = Terms();
        application.DisbursedTotal = Cny(100_000_000);
        return application;
    }

    private static Application Withdrawn()
    {
        var application = Submitted();
        application.State = ApplicationState.Withdrawn;
        application.Timeline.Add(Entry(ApplicationState.Withdrawn, 12, 2, "Financed by the shareholders instead"));
        return application;
    }

    private static TimelineEntry Entry(ApplicationState state, int minutes, ulong sequence, string note)
        => new() { State = state, At = At(minutes), Sequence = sequence, Note = note };

    private static EventHeader Header(string eventId, ulong sequence, int minutes) => new()
    {
        EventId = eventId,
        ApplicationId = ApplicationId,
        BankId = BankId,
        Sequence = sequence,
        OccurredAt = At(minutes),
    };

    private static Money Cny(long unitsMinor) => new() { UnitsMinor = unitsMinor, CurrencyCode = "CNY" };

    private static Timestamp At(int minutesFromNow) => Timestamp.FromDateTimeOffset(Now.AddMinutes(minutesFromNow));
}
