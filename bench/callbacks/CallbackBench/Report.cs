using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>Turns the two results (ConnectorKit's receiver and the peer) into the markdown fragment and the targets file.</summary>
internal static class Report
{
    private const double TargetRate = 10_000;
    private const double TargetP99Ms = 50;

    public static async Task<int> RunAsync(Args args)
    {
        var ck = Read(args.String("connectorkit"));
        var peer = Read(args.String("peer"));
        var command = args.String("command");
        var pinning = args.String("pinning");

        var problems = new List<string>();
        Check(ck, problems);
        Check(peer, problems);

        var s = ck.Saturation;
        var p = ck.Paced;
        var rate = Rate(s);
        var offered = p.Events / p.OfferedSeconds;
        var rateMet = rate >= TargetRate && problems.Count == 0;
        var latencyMet = p.AllDelivered && p.P99Ms <= TargetP99Ms && offered >= 0.95 * p.Rate && problems.Count == 0;

        var md = new StringBuilder();
        md.AppendLine("## Callback delivery: outbox → platform receiver");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine($"| command | `{command}` |");
        md.AppendLine("| what is measured | The bank's outbox dispatcher (ConnectorKit.Server, SQLite, `synchronous=FULL`) delivering LoanEvents callbacks to a platform receiver in another process over h2c: ConnectorKit.Client's `MapConnectorKitCallbacks` with its SQLite store (durable deduplication, order and state checks; a handler that only counts), and as the peer a @grpc/grpc-js receiver that acknowledges at once and stores nothing. An event is delivered when the platform acknowledged it and the bank removed it from its outbox. |");
        md.AppendLine($"| saturation | {s.Events:N0} events (approval + tranches, {s.Events / Math.Max(1, s.Events / 5):N0} per application) written through `ILoanDecisions` with the dispatcher stopped, then drained; events/s = events / time from dispatcher start to the last removal |");
        md.AppendLine($"| paced | {p.Rate:N0} events/s offered for {p.Seconds} s ({p.Events:N0} events) through `ILoanDecisions` by 8 callers, dispatcher running; latency per event = from the outbox row's `created_at` (stamped in the state change's transaction) to the bank's removal of the row after the platform's OK (the dispatcher's `connectorkit.outbox.delivery.latency` histogram) |");
        md.AppendLine($"| repetitions, warm-up | one run per receiver; before anything is timed, a warm-up sends 5,000 events through the whole path (both processes) with a dispatcher of its own, so the JIT has compiled the delivery code (a profile of an unwarmed drain spent 40 % of the receiver's CPU in the JIT) |");
        md.AppendLine($"| pinning | {pinning} |");
        md.AppendLine($"| noise (other processes on cores 0–1) | drain: {s.DrainOtherBusyPercent:F0} % / {peer.Saturation.DrainOtherBusyPercent:F0} %; paced: {p.OtherBusyPercent:F0} % / {peer.Paced.OtherBusyPercent:F0} % (ConnectorKit run / peer run){(Math.Max(s.DrainOtherBusyPercent, p.OtherBusyPercent) > 5 ? " — **noisy: above 5 %**" : string.Empty)} |");
        md.AppendLine();
        md.AppendLine("### Saturation");
        md.AppendLine();
        md.AppendLine("| | ConnectorKit receiver (SQLite) | grpc-js ack-only | ConnectorKit / peer |");
        md.AppendLine("|---|---:|---:|---:|");
        Row(md, "delivered events/s", rate, Rate(peer.Saturation), "N0");
        Row(md, "bank CPU µs per event (drain)", s.DrainBankCpuMs * 1000 / s.Events, peer.Saturation.DrainBankCpuMs * 1000 / peer.Saturation.Events, "N0");
        Row(md, "receiver CPU µs per event (drain)", s.DrainPlatformCpuMs * 1000 / s.Events, peer.Saturation.DrainPlatformCpuMs * 1000 / peer.Saturation.Events, "N0");
        Row(md, "enqueue events/s through ILoanDecisions", s.Events / s.EnqueueSeconds, peer.Saturation.Events / peer.Saturation.EnqueueSeconds, "N0");
        Row(md, "bank CPU µs per enqueued event", s.EnqueueBankCpuMs * 1000 / s.Events, peer.Saturation.EnqueueBankCpuMs * 1000 / peer.Saturation.Events, "N0");
        md.AppendLine($"| handled by the handler / twice / out of order | {s.Handled:N0} / {s.Repeated} / {s.OutOfOrder} | {peer.Saturation.Handled:N0} / {peer.Saturation.Repeated} / {peer.Saturation.OutOfOrder} | |");
        md.AppendLine($"| left in outbox / dead-lettered | {s.PendingAfter} / {s.DeadLettersAfter} | {peer.Saturation.PendingAfter} / {peer.Saturation.DeadLettersAfter} | |");
        md.AppendLine();
        md.AppendLine("### Paced");
        md.AppendLine();
        md.AppendLine("| | ConnectorKit receiver (SQLite) | grpc-js ack-only | ConnectorKit / peer |");
        md.AppendLine("|---|---:|---:|---:|");
        Row(md, "offered events/s (achieved)", offered, peer.Paced.Events / peer.Paced.OfferedSeconds, "N0");
        Row(md, "enqueue start lag p99, ms", p.EnqueueLagP99Ms, peer.Paced.EnqueueLagP99Ms, "F1");
        Row(md, "enqueue-to-acknowledgement p50, ms", p.P50Ms, peer.Paced.P50Ms, "F1");
        Row(md, "p90, ms", p.P90Ms, peer.Paced.P90Ms, "F1");
        Row(md, "p99, ms", p.P99Ms, peer.Paced.P99Ms, "F1");
        Row(md, "max, ms", p.MaxMs, peer.Paced.MaxMs, "F1");
        Row(md, "bank CPU µs per event", p.BankCpuMs * 1000 / p.Events, peer.Paced.BankCpuMs * 1000 / peer.Paced.Events, "N0");
        Row(md, "receiver CPU µs per event", p.PlatformCpuMs * 1000 / p.Events, peer.Paced.PlatformCpuMs * 1000 / peer.Paced.Events, "N0");
        md.AppendLine($"| delivered / twice / out of order / left / dead-lettered | {p.Delivered:N0} / {p.RepeatedTotal} / {p.OutOfOrderTotal} / {p.PendingAfter} / {p.DeadLettersAfter} | {peer.Paced.Delivered:N0} / {peer.Paced.RepeatedTotal} / {peer.Paced.OutOfOrderTotal} / {peer.Paced.PendingAfter} / {peer.Paced.DeadLettersAfter} | |");
        md.AppendLine();
        md.AppendLine("### Targets");
        md.AppendLine();
        md.AppendLine("| target | this run | verdict |");
        md.AppendLine("|---|---|---|");
        var rateText = $"{rate:N0} events/s";
        var latencyText = $"p99 {p.P99Ms:F1} ms at {offered:N0} events/s offered";
        md.AppendLine($"| callback delivery, SQLite both sides: ≥ 10,000 events/s durable | {rateText} | {Verdict(rateMet)} |");
        md.AppendLine($"| callback delivery: p99 enqueue-to-acknowledgement ≤ 50 ms at 2,000 events/s | {latencyText} | {Verdict(latencyMet)} |");
        md.AppendLine();
        if (problems.Count > 0)
        {
            md.AppendLine("**Delivery check failed:** " + string.Join("; ", problems));
            md.AppendLine();
        }

        md.AppendLine("How to read this:");
        md.AppendLine();
        md.AppendLine("- Both receivers get the same bank: the difference between the columns is the platform side, i.e. what ConnectorKit's receiver costs for its durable deduplication, order and state checks against a receiver that only says OK.");
        md.AppendLine("- CPU µs per event is the steadier figure on a shared machine; events/s also depends on how long each disk sync takes (every commit on both sides is `synchronous=FULL`).");
        md.AppendLine("- \"Handled twice\" counts events whose handler ran more than once, \"out of order\" events that did not follow their application's previous one; both must be 0, and nothing may stay in the outbox or be dead-lettered.");
        md.AppendLine("- The paced latency includes the bank's own enqueue commit, the wait for the dispatcher, the platform's commit and the bank's removal; an enqueue lag p99 of more than a few ms means the bank could not offer the rate and the latency figure is for a lower one.");
        md.AppendLine("- `bench/callbacks/README.md` explains the harness, the peer and how to profile either side.");

        await File.WriteAllTextAsync(args.String("out"), md.ToString());
        await File.WriteAllTextAsync(args.String("targets"), string.Join('\n', [
            $"callbacks\t≥ 10,000 events/s durable, outbox → platform receiver, SQLite both sides\t{rateText}\t{(rateMet ? "met" : "not met")}",
            $"callbacks\tp99 enqueue-to-acknowledgement ≤ 50 ms at 2,000 events/s\t{latencyText}\t{(latencyMet ? "met" : "not met")}",
            string.Empty]));
        foreach (var problem in problems)
        {
            Console.Error.WriteLine("callbacks: " + problem);
        }

        return problems.Count == 0 ? 0 : 1;
    }

    private static BenchResult Read(string path)
        => JsonSerializer.Deserialize<BenchResult>(File.ReadAllText(path), BenchResult.Json) ?? throw new InvalidOperationException($"Empty result {path}.");

    private static double Rate(SaturationResult s) => s.Deliveries < 0 ? 0 : s.Events / s.DrainSeconds;

    private static void Check(BenchResult r, List<string> problems)
    {
        var s = r.Saturation;
        var p = r.Paced;
        if (s.Deliveries != s.Events || s.Handled != s.Events || s.Repeated != 0 || s.OutOfOrder != 0 || s.PendingAfter != 0 || s.DeadLettersAfter != 0)
        {
            problems.Add($"{r.Label} saturation: {s.Events} events, {s.Deliveries} delivered, {s.Handled} handled, {s.Repeated} twice, {s.OutOfOrder} out of order, {s.PendingAfter} left, {s.DeadLettersAfter} dead-lettered");
        }

        if (!p.AllDelivered || p.Handled != p.Events || p.RepeatedTotal != 0 || p.OutOfOrderTotal != 0 || p.PendingAfter != 0 || p.DeadLettersAfter != 0)
        {
            problems.Add($"{r.Label} paced: {p.Events} events, {p.Delivered} delivered, {p.Handled} handled, {p.RepeatedTotal} twice, {p.OutOfOrderTotal} out of order, {p.PendingAfter} left, {p.DeadLettersAfter} dead-lettered");
        }
    }

    private static void Row(StringBuilder md, string name, double ck, double peer, string format)
        => md.AppendLine($"| {name} | {ck.ToString(format, CultureInfo.InvariantCulture)} | {peer.ToString(format, CultureInfo.InvariantCulture)} | {(peer > 0 ? (ck / peer).ToString("F2", CultureInfo.InvariantCulture) : "–")} |");

    private static string Verdict(bool met) => met ? "**met**" : "**not met**";
}
