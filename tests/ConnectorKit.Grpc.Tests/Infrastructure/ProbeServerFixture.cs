using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>A Kestrel h2c server on a free port hosting the probe service, with a recording interceptor.</summary>
public class ProbeServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public ProbeService Probe { get; } = new();

    public RecordingInterceptor Interceptor { get; } = new();

    /// <summary>Whether calls pass the recording interceptor; without one, unary calls take the server's synchronous fast path.</summary>
    protected virtual bool WithInterceptor => true;

    protected virtual void Configure(GrpcServiceOptions options)
    {
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(Probe);
        builder.Services.AddConnectorKitGrpc(options =>
        {
            if (WithInterceptor)
            {
                options.Interceptors.Add(Interceptor);
            }

            Configure(options);
        });
        _app = builder.Build();
        _app.MapGrpcService<ProbeService>();
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Port = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
    }
}

/// <summary>The same server without interceptors.</summary>
public sealed class NoInterceptorProbeServerFixture : ProbeServerFixture
{
    protected override bool WithInterceptor => false;
}

/// <summary>The same server with detailed errors switched on.</summary>
public sealed class DetailedErrorsProbeServerFixture : ProbeServerFixture
{
    protected override void Configure(GrpcServiceOptions options) => options.EnableDetailedErrors = true;
}

/// <summary>The server configured to gzip responses (when the client accepts it) and to send at most 64 KiB per message.</summary>
public sealed class GzipProbeServerFixture : ProbeServerFixture
{
    protected override void Configure(GrpcServiceOptions options)
    {
        options.ResponseCompressionAlgorithm = "gzip";
        options.MaxSendMessageSize = 64 * 1024;
    }
}

/// <summary>Records the methods it saw and tags replies, to prove server interceptors wrap handlers.</summary>
public sealed class RecordingInterceptor : Interceptor
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Seen { get; } = new();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Seen.Enqueue(context.Method);
        var response = await continuation(request, context);
        context.ResponseTrailers.Add("intercepted-by", "recording");
        return response;
    }
}
