using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Grpc.Generator.Tests.TestDoubles;

/// <summary>A call context for handlers invoked directly, without a server.</summary>
internal sealed class FakeServerCallContext(string method) : ServerCallContext
{
    public override string Method { get; } = method;

    public override string Host => "localhost";

    public override string Peer => "ipv4:127.0.0.1:1";

    public override DateTime Deadline => DateTime.MaxValue;

    public override Metadata RequestHeaders { get; } = [];

    public override CancellationToken CancellationToken => CancellationToken.None;

    public override Metadata ResponseTrailers { get; } = [];

    public override Status Status { get; set; } = Status.DefaultSuccess;

    public override WriteOptions? WriteOptions { get; set; }

    public override string? ResponseCompression { get; set; }

    public override Task WriteResponseHeadersAsync(Metadata responseHeaders) => Task.CompletedTask;

    public override HttpContext GetHttpContext() => new DefaultHttpContext();
}
