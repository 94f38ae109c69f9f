using System.Collections.Concurrent;
using System.Net;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Connectors.Testing;

/// <summary>One LoanEvents callback as the platform received it.</summary>
/// <param name="Kind"><c>decision:Approved</c>, <c>decision:Rejected</c>, <c>decision:MoreInfoRequired</c>, <c>disbursement:Paid</c> or <c>disbursement:Failed</c>.</param>
public sealed record ReceivedCallback(string ApplicationId, ulong Sequence, string EventId, string Kind, IMessage Message);

/// <summary>
/// A platform's LoanEvents endpoint on a real Kestrel port (h2c): records every callback and acknowledges it,
/// or answers scripted failures. Point the gateway's <c>ConnectorKit:Server:Platform:Address</c> at <see cref="Address"/>.
/// </summary>
public sealed class CallbackRecorder : LoanEventsService.LoanEventsServiceBase, IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private WebApplication? _app;

    /// <summary>Every callback received, in arrival order, duplicates included.</summary>
    public IReadOnlyCollection<ReceivedCallback> Received => _received;

    /// <summary>Statuses to answer instead of OK, one per call while any remain.</summary>
    public ConcurrentQueue<StatusCode> Failures { get; } = new();

    public Uri Address { get; private set; } = null!;

    /// <summary>Starts on a free loopback port.</summary>
    public static Task<CallbackRecorder> StartAsync(CancellationToken cancellationToken = default) => StartAsync(null, cancellationToken);

    /// <summary>Starts listening (h2c) at <paramref name="listen"/>, e.g. <c>http://0.0.0.0:5100</c> where a bank's sandbox delivers; null: a free loopback port.</summary>
    public static async Task<CallbackRecorder> StartAsync(Uri? listen, CancellationToken cancellationToken = default)
    {
        var recorder = new CallbackRecorder();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.Sources.Clear();
        var address = listen is null || listen.IsLoopback ? IPAddress.Loopback : IPAddress.Parse(listen.Host);
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, listen?.Port ?? 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(recorder);
        builder.Services.AddConnectorKitGrpc();
        recorder._app = builder.Build();
        recorder._app.MapGrpcService<CallbackRecorder>();
        await recorder._app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        recorder.Address = new Uri(recorder._app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return recorder;
    }

    public override Task<NotifyApprovalDecisionResponse> NotifyApprovalDecision(NotifyApprovalDecisionRequest request, ServerCallContext context)
    {
        FailIfScripted();
        _received.Enqueue(new ReceivedCallback(request.Header.ApplicationId, request.Header.Sequence, request.Header.EventId, "decision:" + request.OutcomeCase, request));
        return Task.FromResult(new NotifyApprovalDecisionResponse());
    }

    public override Task<NotifyDisbursementResponse> NotifyDisbursement(NotifyDisbursementRequest request, ServerCallContext context)
    {
        FailIfScripted();
        _received.Enqueue(new ReceivedCallback(request.Header.ApplicationId, request.Header.Sequence, request.Header.EventId, "disbursement:" + request.Status, request));
        return Task.FromResult(new NotifyDisbursementResponse());
    }

    /// <summary>The callbacks for one application, once at least <paramref name="count"/> arrived.</summary>
    /// <exception cref="TimeoutException">Fewer arrived within <paramref name="timeout"/> (20 s by default); the message says how many.</exception>
    public async Task<IReadOnlyList<ReceivedCallback>> WaitForAsync(string applicationId, int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var got = _received.Where(r => r.ApplicationId == applicationId).ToList();
            if (got.Count >= count)
            {
                return got;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{got.Count} of {count} callbacks for {applicationId} arrived: {string.Join(", ", got.Select(g => g.Kind))}.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void FailIfScripted()
    {
        if (Failures.TryDequeue(out var code))
        {
            throw new RpcException(new Status(code, "scripted failure"));
        }
    }
}
