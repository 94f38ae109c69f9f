using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ConnectorKit.Client;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>
/// The platform: ConnectorKit.Client's receiver (AddConnectorKitCallbacks / MapConnectorKitCallbacks, SQLite store with
/// synchronous=FULL, durable deduplication) on an h2c port, and a small HTTP/1.1 control port the bank side uses to
/// seed tracked applications and read what the handler saw.
/// </summary>
internal static class PlatformSide
{
    public const string BankId = "BANK-BENCH";
    public const string Token = "bench-bank-token";

    public static async Task<int> RunAsync(Args args)
    {
        var port = args.Int("port");
        var controlPort = args.Int("control-port");
        var data = args.String("data");
        Directory.CreateDirectory(data);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = data });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, controlPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddConnectorKitCallbacks(options =>
        {
            options.BearerTokens[Token] = BankId;
            options.DataDirectory = data;
        });
        var handler = new CountingHandler();
        builder.Services.AddSingleton<ILoanEventHandler>(handler);
        var app = builder.Build();
        app.MapConnectorKitCallbacks();

        var control = $"*:{controlPort}";
        app.MapPost("/seed", async (int from, int count, IApplicationTracker tracker, CancellationToken cancellationToken) =>
        {
            // Four writers: each commit is one fsync, and they queue on the store's write lock anyway.
            var next = from - 1;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < from + count)
                {
                    await tracker.RecordSubmittedAsync(BankId, Fixtures.Application(n), DateTimeOffset.UtcNow, cancellationToken);
                }
            }));
            return Results.Ok();
        }).RequireHost(control);
        app.MapGet("/stats", () => Results.Json(handler.Snapshot())).RequireHost(control);

        await app.StartAsync();
        Console.WriteLine($"LISTENING {port} {controlPort}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// The platform's own work, kept in memory so the figures are the receiver's and its store's: counts how often
    /// each event id reached the handler and whether each application's events came in sequence.
    /// </summary>
    private sealed class CountingHandler : ILoanEventHandler
    {
        private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ulong> _lastSequence = new(StringComparer.Ordinal);
        private long _handled;
        private long _repeated;
        private long _outOfOrder;

        public Task OnApprovalDecisionAsync(NotifyApprovalDecisionRequest request, LoanEventContext context, CancellationToken cancellationToken) => Count(context);

        public Task OnDisbursementAsync(NotifyDisbursementRequest request, LoanEventContext context, CancellationToken cancellationToken) => Count(context);

        public PlatformStats Snapshot()
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
            return new PlatformStats(Interlocked.Read(ref _handled), Interlocked.Read(ref _repeated), Interlocked.Read(ref _outOfOrder), _seen.Count, cpu);
        }

        private Task Count(LoanEventContext context)
        {
            // A handler whose transaction rolled back would be counted twice when redelivered; the receiver never
            // rolls back after the handler here (it does not throw), so a second count is a duplicate effect.
            Interlocked.Increment(ref _handled);
            if (_seen.AddOrUpdate(context.EventId, 1, static (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref _repeated);
            }

            var previous = _lastSequence.GetValueOrDefault(context.ApplicationId);
            if (context.Sequence != previous + 1)
            {
                Interlocked.Increment(ref _outOfOrder);
            }

            _lastSequence[context.ApplicationId] = context.Sequence;
            return Task.CompletedTask;
        }
    }
}

/// <summary>What the platform's handler saw, and the platform process's CPU time so far.</summary>
internal sealed record PlatformStats(long Handled, long Repeated, long OutOfOrder, long DistinctEvents, double CpuMs);
