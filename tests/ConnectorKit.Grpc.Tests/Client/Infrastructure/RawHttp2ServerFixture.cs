using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Tests.Client.Infrastructure;

/// <summary>
/// A bare Kestrel HTTP/2 (h2c) endpoint on a free loopback port that answers with whatever bytes a test
/// writes, to produce responses no gRPC server would: missing grpc-status, wrong content-type, odd framing.
/// Each test registers its own handler under a fresh method path.
/// </summary>
public sealed class RawHttp2ServerFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _handlers = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Number of requests that reached any handler, to prove a call sent nothing.</summary>
    public int RequestCount => _requestCount;

    private int _requestCount;

    /// <summary>A byte[] method on a path of its own, answered by <paramref name="handler"/>.</summary>
    public Method<byte[], byte[]> Map(MethodType type, RequestDelegate handler)
    {
        var method = new Method<byte[], byte[]>(type, "raw.Test" + Guid.NewGuid().ToString("N"), "Call", BytesMarshaller, BytesMarshaller);
        _handlers[method.FullName] = handler;
        return method;
    }

    /// <summary>Answers an exact request path, for channels whose address carries a path prefix.</summary>
    public void MapPath(string path, RequestDelegate handler) => _handlers[path] = handler;

    public GrpcChannel CreateChannel(Action<GrpcChannelOptions>? configure = null)
    {
        var options = new GrpcChannelOptions();
        configure?.Invoke(options);
        return GrpcChannel.ForAddress(Address, options);
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel refuses port 0 on "localhost" (two addresses), so bind the IPv4 loopback only.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MinRequestBodyDataRate = null;
        });
        _app = builder.Build();
        _app.Run(async context =>
        {
            Interlocked.Increment(ref _requestCount);
            if (_handlers.TryGetValue(context.Request.Path.Value ?? string.Empty, out var handler))
            {
                await handler(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await _app.StartAsync().WaitAsync(TestTimeouts.Default);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TestTimeouts.Default);
            await _app.DisposeAsync();
        }
    }

    public static readonly Marshaller<byte[]> BytesMarshaller = Marshallers.Create<byte[]>(static bytes => bytes, static bytes => bytes);

    /// <summary>A length-prefixed message: flag byte, 4-byte big-endian length, payload.</summary>
    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>Starts a normal gRPC response: 200, application/grpc, then <paramref name="frames"/> (trailers are the caller's).</summary>
    public static async Task WriteGrpcResponseAsync(HttpContext context, params byte[][] frames)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        await context.Response.StartAsync();
        foreach (var frame in frames)
        {
            await context.Response.Body.WriteAsync(frame);
        }
    }

    /// <summary>Reads the whole request body and splits it into message payloads.</summary>
    public static async Task<List<(bool Compressed, byte[] Payload)>> ReadMessagesAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var messages = new List<(bool, byte[])>();
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (TryTakeFrame(ref buffer, out var message))
            {
                messages.Add(message);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return messages;
            }
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out (bool Compressed, byte[] Payload) message)
    {
        message = default;
        if (buffer.Length < 5)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (buffer.Length < 5 + length)
        {
            return false;
        }

        message = (header[0] == 1, buffer.Slice(5, length).ToArray());
        buffer = buffer.Slice(5 + length);
        return true;
    }
}
