using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Bench.UnaryServers;

/// <summary>
/// The one request and the one answer of the benchmark. bench/grpc-js-server/server.js builds the same answer
/// field by field; its check.js compares what a server sends with the bytes written from here.
/// </summary>
public static class LoanFixtures
{
    public const string SubmitApplicationPath = "/connectorkit.v1.LoanApplicationsService/SubmitApplication";

    private const string CreditCode = "91310110666007217T";
    private const string RequestId = "0f8c6b2e-5d1a-4c7e-9b3f-2a6d8e1c4b70";

    public static SubmitApplicationRequest CreateRequest() => new()
    {
        RequestId = RequestId,
        EnterpriseCreditCode = CreditCode,
        Consent = new Consent
        {
            ConsentId = "CNS-2025-000481",
            EnterpriseCreditCode = CreditCode,
            Scopes = { ConsentScope.LoanApplication },
            GranteeBankId = "bank-sh-pudong",
            Purpose = "Processing of loan applications submitted through the Zhangjiang park platform",
            GrantedAt = Utc(2025, 6, 1, 8, 0, 0),
            ExpiresAt = Utc(2026, 6, 1, 8, 0, 0),
        },
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = new Money { UnitsMinor = 500_000_000, CurrencyCode = "CNY" }, // 5,000,000.00 CNY in fen
        TermMonths = 36,
        Purpose = "Purchase of raw materials and equipment for the second production line",
        Guarantee = new Guarantee
        {
            GuarantorName = "Shanghai Zhangjiang Park Financing Guarantee Co., Ltd.",
            GuarantorCreditCode = "91310115MA1K3YJ52L",
            FeeRateBp = 10,
        },
        Contact = new Contact { Name = "王小明", Phone = "138****5678" },
    };

    public static SubmitApplicationResponse CreateResponse() => new()
    {
        Application = new Application
        {
            ApplicationId = "APP-20250603-000123",
            RequestId = RequestId,
            EnterpriseCreditCode = CreditCode,
            Product = ProductType.ParkGuaranteeLoan,
            RequestedAmount = new Money { UnitsMinor = 500_000_000, CurrencyCode = "CNY" },
            TermMonths = 36,
            State = ApplicationState.Submitted,
            Timeline =
            {
                new TimelineEntry
                {
                    State = ApplicationState.Submitted,
                    At = Utc(2025, 6, 3, 2, 15, 30),
                    Sequence = 1,
                    Note = "Application received",
                },
            },
            DisbursedTotal = new Money { UnitsMinor = 0, CurrencyCode = "CNY" },
        },
    };

    /// <summary>A message as one gRPC frame: flag 0, 4-byte big-endian length, payload.</summary>
    public static byte[] Frame(Google.Protobuf.IMessage message)
    {
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var framed = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    private static Timestamp Utc(int year, int month, int day, int hour, int minute, int second)
        => Timestamp.FromDateTimeOffset(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero));
}
