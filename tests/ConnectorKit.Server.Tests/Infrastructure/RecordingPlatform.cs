using System.Collections.Concurrent;
using System.Net;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Infrastructure;

/// <summary>A platform's LoanEvents endpoint on a real Kestrel port: records every callback and acknowledges it.</summary>
public sealed class RecordingPlatform : LoanEventsService.LoanEventsServiceBase, IAsyncDisposable
{
    private WebApplication? _app;

    public ConcurrentQueue<(string ApplicationId, ulong Sequence, string Kind, Google.Protobuf.IMessage Message)> Received { get; } = new();

    /// <summary>Status to answer instead of OK, consumed one per call while non-empty.</summary>
    public ConcurrentQueue<StatusCode> Failures { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<RecordingPlatform> StartAsync(int port = 0)
    {
        var platform = new RecordingPlatform();
        var builder = WebApplication.CreateSlimBuilder();

        // The test's working directory may hold another app's appsettings.json (examples/BankServer's, with a fixed Kestrel
        // endpoint, is copied next to the tests that reference it); its endpoints would replace the port-0 listener below.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(platform);
        builder.Services.AddConnectorKitGrpc();
        platform._app = builder.Build();
        platform._app.MapGrpcService<RecordingPlatform>();
        await platform._app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = platform._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        platform.Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return platform;
    }

    public override Task<NotifyApprovalDecisionResponse> NotifyApprovalDecision(NotifyApprovalDecisionRequest request, ServerCallContext context)
    {
        FailIfScripted();
        Received.Enqueue((request.Header.ApplicationId, request.Header.Sequence, "decision:" + request.OutcomeCase, request));
        return Task.FromResult(new NotifyApprovalDecisionResponse());
    }

    public override Task<NotifyDisbursementResponse> NotifyDisbursement(NotifyDisbursementRequest request, ServerCallContext context)
    {
        FailIfScripted();
        Received.Enqueue((request.Header.ApplicationId, request.Header.Sequence, "disbursement:" + request.Status, request));
        return Task.FromResult(new NotifyDisbursementResponse());
    }

    /// <summary>Waits until <paramref name="count"/> callbacks for the application arrived.</summary>
    public async Task<List<(ulong Sequence, string Kind, Google.Protobuf.IMessage Message)>> WaitForAsync(string applicationId, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var got = Received.Where(r => r.ApplicationId == applicationId).Select(r => (r.Sequence, r.Kind, r.Message)).ToList();
            if (got.Count >= count)
            {
                return got;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Only {got.Count} of {count} callbacks for {applicationId} arrived.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
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
