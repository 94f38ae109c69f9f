using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc;

/// <summary>Settings of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted, in bytes. <value>Default 4 MiB; null means no limit.</value></summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent, in bytes. <value>Default null: no limit.</value></summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// The encoding for request messages, e.g. <c>gzip</c>; null sends them uncompressed. Must name one of
    /// <see cref="CompressionProviders"/>. <value>Default null.</value>
    /// </summary>
    public string? RequestCompression { get; set; }

    /// <summary>Algorithms the channel can use and accept. <value>Default: gzip.</value></summary>
    public IList<ICompressionProvider> CompressionProviders { get; set; } = [new GzipCompressionProvider()];

    /// <summary>
    /// The handler to send requests through. When null the channel builds a <see cref="SocketsHttpHandler"/>
    /// (HTTP/2 only, extra connections when streams run out, keepalive pings) and disposes it with itself.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpHandler"/>. <value>Default false.</value></summary>
    public bool DisposeHttpHandler { get; set; }

    /// <summary>Changes the built-in handler before first use, e.g. to add client certificates or a custom server-certificate check.</summary>
    public Action<SocketsHttpHandler>? ConfigureSocketsHttpHandler { get; set; }

    /// <summary>Idle time after which a keepalive PING is sent. <value>Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> turns pings off.</value></summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the PING answer before closing the connection. <value>Default 20 s.</value></summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Interceptors applied to every call of the channel, first one outermost.</summary>
    public IList<Interceptor> Interceptors { get; } = [];

    /// <summary>Logs call failures; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
