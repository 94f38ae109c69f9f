using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.InteropServer;

/// <summary>Builds the interop server: TestService, health and reflection on one Kestrel port.</summary>
public static class InteropServer
{
    /// <summary>Creates the app. <paramref name="port"/> 0 picks a free port; read it back from the app's addresses.</summary>
    public static WebApplication Create(int port, bool useTls = false, int? maxReceiveMessageSize = 4 * 1024 * 1024, Action<GrpcServiceOptions>? configure = null, X509Certificate2? certificate = null)
    {
        certificate ??= useTls ? CreateSelfSignedCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = useTls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2;
            if (useTls)
            {
                listen.UseHttps(certificate!);
            }
        }));
        builder.Services.AddConnectorKitGrpc(options =>
        {
            options.MaxReceiveMessageSize = maxReceiveMessageSize;
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.MapGrpcService<TestServiceImpl>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>A throw-away certificate for 127.0.0.1 and localhost, valid for a day.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
