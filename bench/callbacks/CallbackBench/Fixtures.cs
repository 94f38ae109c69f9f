using System.Globalization;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>The applications both sides know about, by number.</summary>
internal static class Fixtures
{
    public const long RequestedFen = 500_000_000; // 5,000,000 CNY

    public static string ApplicationId(int n) => "APP-" + n.ToString("D7", CultureInfo.InvariantCulture);

    public static Application Application(int n) => new()
    {
        ApplicationId = ApplicationId(n),
        RequestId = "REQ-" + n.ToString("D7", CultureInfo.InvariantCulture),
        EnterpriseCreditCode = "91350100M000100Y43",
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = new Money { UnitsMinor = RequestedFen, CurrencyCode = "CNY" },
        TermMonths = 36,
        State = ApplicationState.Submitted,
        Timeline = { new TimelineEntry { State = ApplicationState.Submitted, At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), Sequence = 1, Note = "submitted" } },
    };
}
