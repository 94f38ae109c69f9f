using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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

namespace ConnectorKit.Server.Tests.Outbox.Infrastructure;

/// <summary>One call the test platform received, and what it answered.</summary>
public sealed record ReceivedCall(string Method, string EventId, string ApplicationId, long Sequence, StatusCode Answer, string BankId);

/// <summary>
/// What the test platform answers, per event id: a queue of statuses to give before OK. Records every call. Shared by
/// the service instances of one server, and by successive servers in a test.
/// </summary>
public sealed class PlatformScript
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(StatusCode Code, string Detail)>> _answers = new();
    private readonly ConcurrentQueue<ReceivedCall> _received = new();

    /// <summary>How long each call takes before it answers.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Calls to this method were received and are in progress or done.</summary>
    public IReadOnlyList<ReceivedCall> Received => [.. _received];

    /// <summary>The calls answered OK, in arrival order.</summary>
    public IReadOnlyList<ReceivedCall> Acknowledged => [.. _received.Where(c => c.Answer == StatusCode.OK)];

    /// <summary>The next calls carrying <paramref name="eventId"/> get these answers, one each; later ones get OK.</summary>
    public void Answer(string eventId, params (StatusCode Code, string Detail)[] answers)
    {
        var queue = _answers.GetOrAdd(eventId, _ => new ConcurrentQueue<(StatusCode, string)>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>Forgets the answers still queued for <paramref name="eventId"/>, so the next call gets OK.</summary>
    public void Forget(string eventId) => _answers.TryRemove(eventId, out _);

    internal async Task HandleAsync(string method, EventHeader header, ServerCallContext context)
    {
        var answer = (Code: StatusCode.OK, Detail: string.Empty);
        if (_answers.TryGetValue(header.EventId, out var queue) && queue.TryDequeue(out var scripted))
        {
            answer = scripted;
        }

        _received.Enqueue(new ReceivedCall(method, header.EventId, header.ApplicationId, (long)header.Sequence, answer.Code, header.BankId));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        if (answer.Code != StatusCode.OK)
        {
            throw new RpcException(new Status(answer.Code, answer.Detail));
        }
    }
}

/// <summary>The platform's LoanEvents service, answering as its <see cref="PlatformScript"/> says.</summary>
public sealed class ScriptedLoanEventsService(PlatformScript script) : LoanEventsService.LoanEventsServiceBase
{
    public override async Task<NotifyApprovalDecisionResponse> NotifyApprovalDecision(NotifyApprovalDecisionRequest request, ServerCallContext context)
    {
        await script.HandleAsync(nameof(NotifyApprovalDecision), request.Header, context);
        return new NotifyApprovalDecisionResponse();
    }

    public override async Task<NotifyDisbursementResponse> NotifyDisbursement(NotifyDisbursementRequest request, ServerCallContext context)
    {
        await script.HandleAsync(nameof(NotifyDisbursement), request.Header, context);
        return new NotifyDisbursementResponse();
    }
}

/// <summary>A real platform endpoint: Kestrel over h2c on 127.0.0.1, hosting <see cref="ScriptedLoanEventsService"/>.</summary>
public sealed class TestPlatformServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestPlatformServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts a server on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<TestPlatformServer> StartAsync(PlatformScript script, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(script);
        builder.Services.AddConnectorKitGrpc();
        var app = builder.Build();
        app.MapGrpcService<ScriptedLoanEventsService>();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        return new TestPlatformServer(app, bound);
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}

/// <summary>One platform server per test class; each test scripts the event ids it uses.</summary>
public sealed class TestPlatformFixture : IAsyncLifetime
{
    private TestPlatformServer? _server;

    public PlatformScript Script { get; } = new();

    public Uri Address => (_server ?? throw new InvalidOperationException("Not started.")).Address;

    public async Task InitializeAsync() => _server = await TestPlatformServer.StartAsync(Script);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
