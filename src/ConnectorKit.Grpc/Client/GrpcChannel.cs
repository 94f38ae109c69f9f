namespace ConnectorKit.Grpc;

/// <summary>
/// A long-lived connection pool to one gRPC server over HTTP/2: <c>http://</c> for h2c with prior knowledge,
/// <c>https://</c> for TLS with ALPN. Create one per server and share it; it is thread-safe.
/// </summary>
public sealed partial class GrpcChannel : IDisposable
{
    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        Initialize();
    }

    /// <summary>The server's base address.</summary>
    public Uri Address { get; }

    /// <summary>The <c>host:port</c> the channel calls.</summary>
    public string Target => Address.Authority;

    internal GrpcChannelOptions Options { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) => ForAddress(new Uri(address), options);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http (h2c) or https (TLS).", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>An invoker for generated clients, with the channel's interceptors applied.</summary>
    public CallInvoker CreateCallInvoker()
    {
        CallInvoker invoker = CreateHttpCallInvoker();
        return Options.Interceptors.Count == 0 ? invoker : invoker.Intercept([.. Options.Interceptors]);
    }

    private partial void Initialize();

    private partial CallInvoker CreateHttpCallInvoker();

    public partial void Dispose();
}
