using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Grpc;
using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Server.Tests.Security.Infrastructure;

/// <summary>A call context without a server, for driving an interceptor directly.</summary>
public sealed class FakeServerCallContext : ServerCallContext
{
    private readonly DefaultHttpContext _httpContext = new();

    public FakeServerCallContext(string method = "/connectorkit.tests.Echo/Unary", X509Certificate2? clientCertificate = null, Metadata? headers = null)
    {
        Method = method;
        RequestHeaders = headers ?? [];
        _httpContext.Connection.ClientCertificate = clientCertificate;
    }

    public override string Method { get; }

    public override string Host => "localhost";

    public override string Peer => "ipv4:127.0.0.1:50000";

    public override DateTime Deadline => DateTime.MaxValue;

    public override Metadata RequestHeaders { get; }

    public override CancellationToken CancellationToken => CancellationToken.None;

    public override Metadata ResponseTrailers { get; } = [];

    public override Status Status { get; set; }

    public override WriteOptions? WriteOptions { get; set; }

    public override string? ResponseCompression { get; set; }

    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;

    public override HttpContext GetHttpContext() => _httpContext;
}
