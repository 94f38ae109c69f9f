using System.Text.Json;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>One bank run against one receiver.</summary>
internal sealed record BenchResult(string Label, SaturationResult Saturation, PacedResult Paced, double SeedSeconds)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };
}

/// <param name="Deliveries">Events acknowledged and removed within the drain time-out; -1 when the drain timed out.</param>
internal sealed record SaturationResult(
    int Events, double EnqueueSeconds, double EnqueueBankCpuMs, long PendingBeforeDrain,
    int Deliveries, double DrainSeconds, double DrainBankCpuMs, double DrainPlatformCpuMs, double DrainOtherBusyPercent,
    long Handled, long Repeated, long OutOfOrder, long PendingAfter, long DeadLettersAfter);

/// <param name="EnqueueLagP99Ms">How late the state-machine calls started against their schedule (p99): whether the rate was really offered.</param>
internal sealed record PacedResult(
    int Rate, int Seconds, int Events, double OfferedSeconds, double EnqueueLagP99Ms,
    bool AllDelivered, int Delivered, double P50Ms, double P90Ms, double P99Ms, double MaxMs,
    double BankCpuMs, double PlatformCpuMs, double OtherBusyPercent,
    long Handled, long RepeatedTotal, long OutOfOrderTotal, long PendingAfter, long DeadLettersAfter);
