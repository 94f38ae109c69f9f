using ConnectorKit.Connectors.Signing;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>The connector's one key ring, loaded from validated options on first use and disposed with the host.</summary>
internal sealed class GatewayKeys(IOptions<OpenPlatformOptions> options, TimeProvider timeProvider) : IDisposable
{
    private readonly Lazy<GatewayKeyRing> _ring = new(() => GatewayKeyRing.Create(options.Value.Keys, timeProvider));

    public GatewayKeyRing Ring => _ring.Value;

    public void Dispose()
    {
        if (_ring.IsValueCreated)
        {
            _ring.Value.Dispose();
        }
    }
}
