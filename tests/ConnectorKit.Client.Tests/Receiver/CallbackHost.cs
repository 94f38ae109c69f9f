using System.Net;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Tracking;
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

namespace ConnectorKit.Client.Tests.Receiver;

/// <summary>The platform: AddConnectorKitCallbacks/MapConnectorKitCallbacks on a real Kestrel port (HTTP/2, port 0).</summary>
public sealed class CallbackHost : IAsyncDisposable
{
    public const string BankA = "bank-a";
    public const string BankB = "bank-b";
    public const string TokenA = "token-of-bank-a-0123456789";
    public const string TokenB = "token-of-bank-b-0123456789";

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private CallbackHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        _channel = GrpcChannel.ForAddress(address);
        Client = new LoanEventsService.LoanEventsServiceClient(_channel);
    }

    public Uri Address { get; }

    public LoanEventsService.LoanEventsServiceClient Client { get; }

    public RecordingLoanEventHandler Handler => (RecordingLoanEventHandler)_app.Services.GetRequiredService<ILoanEventHandler>();

    public IApplicationTracker Tracker => _app.Services.GetRequiredService<IApplicationTracker>();

    public IApplicationTimelines Timelines => _app.Services.GetRequiredService<IApplicationTimelines>();

    public IPlatformStore Store => _app.Services.GetRequiredService<IPlatformStore>();

    public static async Task<CallbackHost> StartAsync(Action<ConnectorKitCallbackOptions> store, RecordingLoanEventHandler? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddConnectorKitCallbacks(options =>
        {
            options.BearerTokens[TokenA] = BankA;
            options.BearerTokens[TokenB] = BankB;
            store(options);
        });
        builder.Services.AddSingleton<ILoanEventHandler>(handler ?? new RecordingLoanEventHandler());
        var app = builder.Build();
        app.MapConnectorKitCallbacks();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new CallbackHost(app, new Uri(address));
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}

/// <summary>The platform's handler: records every call; fails the next N calls when asked.</summary>
public sealed class RecordingLoanEventHandler : ILoanEventHandler
{
    private readonly List<(string Rpc, LoanEventContext Context)> _calls = [];
    private int _failures;

    public IReadOnlyList<(string Rpc, LoanEventContext Context)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public void FailNext(int count) => Interlocked.Exchange(ref _failures, count);

    public Task OnApprovalDecisionAsync(NotifyApprovalDecisionRequest request, LoanEventContext context, CancellationToken cancellationToken) => Record("decision", context);

    public Task OnDisbursementAsync(NotifyDisbursementRequest request, LoanEventContext context, CancellationToken cancellationToken) => Record("disbursement", context);

    private Task Record(string rpc, LoanEventContext context)
    {
        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            throw new InvalidOperationException("The platform's downstream system is down.");
        }

        lock (_calls)
        {
            _calls.Add((rpc, context));
        }

        return Task.CompletedTask;
    }
}
