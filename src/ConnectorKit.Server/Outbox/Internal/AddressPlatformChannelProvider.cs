using ConnectorKit.Grpc;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Outbox.Internal;

/// <summary>One shared channel to <see cref="PlatformCallbackOptions.Address"/>, with the runtime's default settings and nothing else.</summary>
internal sealed class AddressPlatformChannelProvider : IPlatformChannelProvider, IDisposable
{
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<CallInvoker> _invoker;

    public AddressPlatformChannelProvider(IOptions<ConnectorKitServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = new Lazy<GrpcChannel>(() => GrpcChannel.ForAddress(
            options.Value.Platform.Address ?? throw new InvalidOperationException("ConnectorKit:Server:Platform:Address is not set; callbacks cannot be delivered.")));
        _invoker = new Lazy<CallInvoker>(() => _channel.Value.CreateCallInvoker());
    }

    public CallInvoker GetCallInvoker() => _invoker.Value;

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }
}
