using System.Net;
using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Tests.Server;

/// <summary>
/// The UNIMPLEMENTED fallback routes: they answer every path no service serves, and they stay out of routing's
/// way for the paths that are served (each served call would otherwise pay for capturing their route values).
/// </summary>
public sealed class FallbackRoutingTests(FallbackRoutingTests.Server server) : IClassFixture<FallbackRoutingTests.Server>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Call_MappedMethod_RoutingWeighsOnlyItsEndpoint()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "x" }), headers: [("x-route-probe", "echo")]).WaitAsync(Timeout);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal(1, server.Selector.CandidatesFor("echo"));
    }

    [Fact]
    public async Task Call_MethodOfAnotherService_ReturnsMethodUnimplemented()
    {
        using var client = new RawGrpcClient(server.Address);

        // Check is a method of grpc.health.v1.Health, not of Probe: the fallback of each service knows its own methods.
        var response = await client.SendAsync("/connectorkit.tests.Probe/Check", RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("Method is unimplemented.", response.GrpcMessage);
    }

    [Fact]
    public async Task Call_UnknownMethodOfServiceMappedLater_ReturnsMethodUnimplemented()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/grpc.health.v1.Health/NoSuchMethod", RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("Method is unimplemented.", response.GrpcMessage);
    }

    [Fact]
    public async Task Call_UnknownService_ReturnsServiceUnimplemented()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/connectorkit.tests.Elsewhere/Echo", RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("Service is unimplemented.", response.GrpcMessage);
    }

    [Fact]
    public async Task Call_PlainRouteBesideGrpc_StillServed()
    {
        using var client = new RawGrpcClient(server.Address);

        var response = await client.SendAsync("/api/ping", RawGrpcClient.Frame(new ProbeRequest())).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Accepted, response.HttpStatus);
    }

    /// <summary>A server with the probe service, health mapped after it (after the unknown-service fallback), and a plain route.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private WebApplication? _app;

        public Uri Address { get; private set; } = null!;

        public RecordingEndpointSelector Selector { get; } = new();

        public async Task InitializeAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddSingleton(new ProbeService());
            builder.Services.AddConnectorKitGrpc();
            builder.Services.Replace(ServiceDescriptor.Singleton<EndpointSelector>(Selector));
            _app = builder.Build();
            _app.MapGrpcService<ProbeService>();
            _app.MapGrpcHealthChecksService();
            _app.MapPost("/api/ping", context =>
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return Task.CompletedTask;
            });
            await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
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

    /// <summary>Picks the first valid candidate, as routing's own selector does without ties, and counts the candidates per tagged request.</summary>
    public sealed class RecordingEndpointSelector : EndpointSelector
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int? CandidatesFor(string tag) => _counts.TryGetValue(tag, out var count) ? count : null;

        public override Task SelectAsync(HttpContext httpContext, CandidateSet candidates)
        {
            if (httpContext.Request.Headers["x-route-probe"].ToString() is { Length: > 0 } tag)
            {
                _counts[tag] = candidates.Count;
            }

            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates.IsValidCandidate(i))
                {
                    httpContext.SetEndpoint(candidates[i].Endpoint);
                    httpContext.Request.RouteValues = candidates[i].Values!;
                    break;
                }
            }

            return Task.CompletedTask;
        }
    }
}
