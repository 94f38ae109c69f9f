using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>
/// gRPC by hand over .NET's own HTTP/2 client: the test writes the frames and reads the raw headers and
/// trailers, so the server is checked on the wire, independently of ConnectorKit's client.
/// </summary>
internal sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _client;

    public RawGrpcClient(Uri address)
    {
        _client = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public sealed record RawResponse(HttpStatusCode HttpStatus, HttpResponseHeaders Headers, HttpResponseHeaders Trailers, byte[] Body, string? ContentType)
    {
        public string? Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

        public string? Trailer(string name) => Trailers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

        /// <summary>grpc-status from the trailers, or from the headers for a Trailers-Only response.</summary>
        public string? GrpcStatus => Trailer("grpc-status") ?? Header("grpc-status");

        public string? GrpcMessage => Trailer("grpc-message") ?? Header("grpc-message");

        public bool IsTrailersOnly => Header("grpc-status") is not null && Body.Length == 0;
    }

    public static byte[] Frame(IMessage message, bool compressedFlag = false) => Frame(message.ToByteArray(), compressedFlag);

    public static byte[] Frame(byte[] payload, bool compressedFlag = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public Task<RawResponse> SendAsync(string path, byte[] body, string contentType = "application/grpc", IEnumerable<(string Name, string Value)>? headers = null, CancellationToken cancellationToken = default)
        => SendAsync(path, new ByteArrayContent(body), contentType, headers, cancellationToken);

    public async Task<RawResponse> SendAsync(string path, HttpContent content, string contentType = "application/grpc", IEnumerable<(string Name, string Value)>? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new RawResponse(response.StatusCode, response.Headers, response.TrailingHeaders, bytes, response.Content.Headers.ContentType?.ToString());
    }

    /// <summary>Parses the length-prefixed messages of a response body.</summary>
    public static List<T> Messages<T>(byte[] body, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var messages = new List<T>();
        var offset = 0;
        while (offset < body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            messages.Add(parser.ParseFrom(body, offset + 5, length));
            offset += 5 + length;
        }

        return messages;
    }

    public void Dispose() => _client.Dispose();
}
