using ConnectorKit.Grpc;
using ConnectorKit.Server.Outbox;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Security;

/// <summary>
/// The dispatcher's channel to the platform as the options describe it: h2c or TLS, the trusted CA, the client
/// certificate for mutual TLS and the bearer token. Built once, on first delivery.
/// </summary>
internal sealed class SecurePlatformChannelProvider : IPlatformChannelProvider, IDisposable
{
    private readonly Lazy<GrpcChannel> _channel;

    public SecurePlatformChannelProvider(IOptions<ConnectorKitServerOptions> options, ILoggerFactory? loggerFactory = null)
        => _channel = new Lazy<GrpcChannel>(() => PlatformChannelFactory.Create(options.Value.Platform, loggerFactory));

    public CallInvoker GetCallInvoker() => _channel.Value.CreateCallInvoker();

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }
}
