using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Security.Internal;
using Microsoft.Extensions.Logging;
using ConnectorKit.Grpc.Security;

namespace ConnectorKit.Server.Security;

/// <summary>Builds the channel the callback dispatcher uses to call the platform's LoanEvents service.</summary>
public static class PlatformChannelFactory
{
    /// <summary>
    /// A channel to <see cref="PlatformCallbackOptions.Address"/>: <c>http://</c> is h2c, <c>https://</c> TLS, with the client certificate
    /// (mutual TLS) and <see cref="PlatformCallbackOptions.TrustedCaPath"/> as the only root for the platform's certificate when set.
    /// Every call carries <c>authorization: Bearer …</c> when <see cref="PlatformCallbackOptions.BearerToken"/> is set.
    /// Certificates are read once, here. Dispose the channel when done.
    /// </summary>
    /// <exception cref="InvalidOperationException">No address, or certificate settings with an <c>http://</c> address, which could not use them.</exception>
    public static GrpcChannel Create(PlatformCallbackOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = options.Address
            ?? throw new InvalidOperationException("PlatformCallbackOptions.Address is not set; there is no platform to call.");
        var tls = address.Scheme == Uri.UriSchemeHttps;
        if (!tls && (options.ClientCertificatePath is not null || options.TrustedCaPath is not null))
        {
            // Failing beats silently calling without the mutual TLS the configuration asked for.
            throw new InvalidOperationException($"Client certificate or trusted CA settings need an https address; '{address}' is h2c.");
        }

        var clientCertificate = options.ClientCertificatePath is { } certificatePath
            ? CertificateLoader.LoadPemWithKey(certificatePath, options.ClientCertificateKeyPath)
            : null;
        var authorities = options.TrustedCaPath is { } caPath ? CertificateLoader.LoadPemCertificates(caPath) : null;

        var channelOptions = new GrpcChannelOptions
        {
            LoggerFactory = loggerFactory,
            ConfigureSocketsHttpHandler = handler => ChannelTls.Configure(handler.SslOptions, clientCertificate, authorities),
        };
        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            channelOptions.Interceptors.Add(new BearerTokenInterceptor(options.BearerToken));
            if (!tls && loggerFactory is not null)
            {
                SecurityLog.TokenOverPlaintext(loggerFactory.CreateLogger(typeof(PlatformChannelFactory).FullName!), address);
            }
        }

        return GrpcChannel.ForAddress(address, channelOptions);
    }
}
