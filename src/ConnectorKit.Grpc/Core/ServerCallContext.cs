using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Grpc;

/// <summary>What a server handler knows about its call, and how it shapes the response.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>The full method path, e.g. <c>/connectorkit.v1.CreditData/PushCreditProfile</c>.</summary>
    public abstract string Method { get; }

    /// <summary>The <c>:authority</c> the client called.</summary>
    public abstract string Host { get; }

    /// <summary>The peer address as <c>ipv4:1.2.3.4:5</c> or <c>ipv6:[::1]:5</c>.</summary>
    public abstract string Peer { get; }

    /// <summary>When the client gives up (UTC); <see cref="DateTime.MaxValue"/> without a deadline.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>The client's custom metadata (reserved gRPC and HTTP/2 headers removed).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>Fires when the client cancels, the connection drops or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Trailers to send with the status; add to it before the handler returns.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status sent when the handler returns normally; OK unless set.</summary>
    public abstract Status Status { get; set; }

    /// <summary>Default options for response writes.</summary>
    public abstract WriteOptions? WriteOptions { get; set; }

    /// <summary>
    /// The compression for response messages, e.g. <c>gzip</c>, or null for the server default.
    /// Used only when the client accepts it.
    /// </summary>
    public abstract string? ResponseCompression { get; set; }

    /// <summary>State interceptors and handlers share for this call.</summary>
    public IDictionary<object, object> UserState => _userState ??= [];

    /// <summary>Sends the response headers now, with this metadata. At most once, before the first message.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>The ASP.NET Core context of the call (connection, client certificate, user).</summary>
    public abstract HttpContext GetHttpContext();
}

/// <summary>Handles a unary call.</summary>
public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);

/// <summary>Handles a client-streaming call.</summary>
public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);

/// <summary>Handles a server-streaming call.</summary>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>Handles a bidirectional-streaming call.</summary>
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);
