using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>The server options resolved once, for the hot path.</summary>
internal sealed class MethodOptions
{
    private readonly ICompressionProvider[] _providers;

    public MethodOptions(GrpcServiceOptions options)
    {
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        EnableDetailedErrors = options.EnableDetailedErrors;
        ResponseCompressionAlgorithm = options.ResponseCompressionAlgorithm;
        _providers = [.. options.CompressionProviders];
        AcceptEncodingValue = string.Join(",", new[] { GrpcProtocol.IdentityEncoding }.Concat(_providers.Select(p => p.EncodingName)));
        if (ResponseCompressionAlgorithm is not null && ResponseCompressionAlgorithm != GrpcProtocol.IdentityEncoding && FindCompressionProvider(ResponseCompressionAlgorithm) is null)
        {
            throw new InvalidOperationException($"ResponseCompressionAlgorithm '{ResponseCompressionAlgorithm}' has no matching compression provider.");
        }
    }

    public int? MaxReceiveMessageSize { get; }

    public int? MaxSendMessageSize { get; }

    public bool EnableDetailedErrors { get; }

    public string? ResponseCompressionAlgorithm { get; }

    /// <summary>The value of <c>grpc-accept-encoding</c> this server sends, e.g. <c>identity,gzip</c>.</summary>
    public string AcceptEncodingValue { get; }

    public ICompressionProvider? FindCompressionProvider(string name)
    {
        foreach (var provider in _providers)
        {
            if (string.Equals(provider.EncodingName, name, StringComparison.OrdinalIgnoreCase))
            {
                return provider;
            }
        }

        return null;
    }
}
