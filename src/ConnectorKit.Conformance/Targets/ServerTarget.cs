using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Conformance.Targets;

/// <summary>
/// Server mode: a bank's live endpoint, the suite's callback sink where the bank's sandbox delivers, and the
/// bank's sandbox driver. The bank-side journal and fault injection do not exist here; cases needing them skip.
/// </summary>
public sealed class ServerTarget : IConformanceTarget
{
    private readonly GrpcChannel _channel;

    private ServerTarget(ServerTargetOptions options, GrpcChannel channel, CallbackRecorder callbacks, IBankDriver driver)
    {
        Name = "server " + (options.Name ?? options.Address!.ToString());
        BankId = options.BankId!;
        Capabilities = options.ParsedCapabilities;
        _channel = channel;
        Callbacks = callbacks;
        Driver = driver;
        var invoker = channel.CreateCallInvoker();
        var token = ServerTargetOptions.Secret(options.Token);
        var otherToken = ServerTargetOptions.Secret(options.OtherPlatformToken);
        CallInvoker = token is null ? invoker : invoker.Intercept(new BearerTokenInterceptor(token));
        Anonymous = token is null ? null : invoker;
        OtherPlatform = otherToken is null ? null : invoker.Intercept(new BearerTokenInterceptor(otherToken));
    }

    public string Name { get; }

    public string BankId { get; }

    public ConnectorCapabilities Capabilities { get; }

    public CallInvoker CallInvoker { get; }

    public CallbackRecorder Callbacks { get; }

    public IBankDriver Driver { get; }

    public IBankJournal? Journal => null;

    public IBankFaults? Faults => null;

    public CallInvoker? OtherPlatform { get; }

    public CallInvoker? Anonymous { get; }

    /// <exception cref="FormatException">The options are incomplete.</exception>
    public static async Task<ServerTarget> StartAsync(ServerTargetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var callbacks = await CallbackRecorder.StartAsync(options.CallbackListen, cancellationToken).ConfigureAwait(false);
        var channel = GrpcChannel.ForAddress(options.Address!, ChannelOptions(options));
        var driver = HttpBankDriver.Create(options.Driver!.Url!, ServerTargetOptions.Secret(options.Driver.Token));
        return new ServerTarget(options, channel, callbacks, driver);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Callbacks.DisposeAsync().ConfigureAwait(false);
    }

    private static GrpcChannelOptions ChannelOptions(ServerTargetOptions options)
    {
        var channelOptions = new GrpcChannelOptions();
        var tls = options.Tls;
        if (tls is null)
        {
            return channelOptions;
        }

        var certificate = tls.ClientCertificate is null ? null : CertificateLoader.LoadPemWithKey(options.Resolve(tls.ClientCertificate), tls.ClientKey is null ? null : options.Resolve(tls.ClientKey));
        var authorities = tls.TrustedCa is null ? null : CertificateLoader.LoadPemCertificates(options.Resolve(tls.TrustedCa));

        channelOptions.ConfigureSocketsHttpHandler = handler => ChannelTls.Configure(handler.SslOptions, certificate, authorities);
        return channelOptions;
    }
}
