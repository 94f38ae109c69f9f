using System.IO.Compression;

namespace ConnectorKit.Grpc;

/// <summary>Settings of the gRPC server endpoints. Bind with <c>AddConnectorKitGrpc(options => …)</c>.</summary>
public sealed class GrpcServiceOptions
{
    /// <summary>Largest request message accepted, in bytes (after decompression). <value>Default 4 MiB; null means no limit.</value></summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes. <value>Default null: no limit.</value></summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>
    /// Whether an unexpected handler exception's type and message reach the client in <c>grpc-message</c>.
    /// <value>Default false: the client sees only "Exception was thrown by handler."</value>
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Compression for response messages when the client accepts it, e.g. <c>gzip</c>. <value>Default null: none.</value></summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Level used when compressing responses. <value>Default <see cref="CompressionLevel.Fastest"/>.</value></summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Algorithms the server accepts in requests and may use in responses. <value>Default: gzip.</value></summary>
    public IList<ICompressionProvider> CompressionProviders { get; set; } = [new GzipCompressionProvider()];

    /// <summary>Server interceptors, the first one outermost.</summary>
    public InterceptorCollection Interceptors { get; } = [];
}

/// <summary>Server interceptors: instances, or types created once from the application's services.</summary>
public sealed class InterceptorCollection : List<InterceptorRegistration>
{
    /// <summary>Adds an interceptor created once through dependency injection (constructor arguments from services or <paramref name="args"/>).</summary>
    public void Add<TInterceptor>(params object[] args)
        where TInterceptor : Interceptor
        => Add(new InterceptorRegistration(typeof(TInterceptor), args, null));

    /// <summary>Adds an interceptor instance shared by all calls.</summary>
    public void Add(Interceptor interceptor) => Add(new InterceptorRegistration(interceptor.GetType(), [], interceptor));
}

/// <summary>One registered server interceptor.</summary>
public sealed record InterceptorRegistration(Type Type, object[] Arguments, Interceptor? Instance);
