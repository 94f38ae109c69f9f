using System.Collections.Concurrent;
using System.Net;
using ConnectorKit.Grpc.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectorKit.Grpc;

// The HTTP/2 transport of the channel: the handler it owns and what every call shares.
public sealed partial class GrpcChannel
{
    // Bounds the per-method URI cache so callers that build method names on the fly cannot grow it without end.
    private const int MaxCachedUris = 1024;

    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    // Set by Initialize, which the constructor runs before anything else can see the instance.
    private HttpMessageInvoker _httpInvoker = null!;
    private HttpCallInvoker _callInvoker = null!;
    private ICompressionProvider[] _compressionProviders = [];
    private string _basePath = string.Empty;
    private volatile bool _disposed;

    internal HttpMessageInvoker HttpInvoker => _httpInvoker;

    internal ILogger Logger { get; private set; } = NullLogger.Instance;

    /// <summary>The provider named by <see cref="GrpcChannelOptions.RequestCompression"/>, or null.</summary>
    internal ICompressionProvider? RequestCompression { get; private set; }

    /// <summary>The <c>grpc-accept-encoding</c> value: identity and every provider's name.</summary>
    internal string AcceptEncoding { get; private set; } = GrpcProtocol.IdentityEncoding;

    /// <summary>The clock deadlines are measured with; tests swap in a fake one.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal bool IsDisposed => _disposed;

    /// <summary>True when the channel built its own <see cref="SocketsHttpHandler"/> rather than using a supplied one.</summary>
    internal bool UsesBuiltInHandler { get; private set; }

    internal ICompressionProvider? FindCompressionProvider(string encoding)
    {
        foreach (var provider in _compressionProviders)
        {
            if (string.Equals(provider.EncodingName, encoding, StringComparison.Ordinal))
            {
                return provider;
            }
        }

        return null;
    }

    /// <summary>The absolute URI of a method, kept under the address's path so a channel can sit behind a path prefix.</summary>
    internal Uri GetRequestUri(string fullName)
    {
        if (_uris.TryGetValue(fullName, out var uri))
        {
            return uri;
        }

        uri = new Uri(_basePath + fullName, UriKind.Absolute);
        if (_uris.Count < MaxCachedUris)
        {
            _uris.TryAdd(fullName, uri);
        }

        return uri;
    }

    private partial void Initialize()
    {
        var options = Options;
        _compressionProviders = [.. options.CompressionProviders];
        AcceptEncoding = BuildAcceptEncoding(_compressionProviders);
        if (options.RequestCompression is { } encoding && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
        {
            RequestCompression = FindCompressionProvider(encoding)
                ?? throw new ArgumentException($"RequestCompression '{encoding}' is not one of the channel's CompressionProviders.", nameof(options));
        }

        _basePath = Address.GetLeftPart(UriPartial.Authority) + Address.AbsolutePath.TrimEnd('/');
        Logger = options.LoggerFactory?.CreateLogger(typeof(GrpcChannel).FullName!) ?? NullLogger.Instance;

        if (options.HttpHandler is { } handler)
        {
            _httpInvoker = new HttpMessageInvoker(handler, options.DisposeHttpHandler);
        }
        else
        {
            _httpInvoker = new HttpMessageInvoker(CreateSocketsHttpHandler(options), disposeHandler: true);
            UsesBuiltInHandler = true;
        }

        _callInvoker = new HttpCallInvoker(this);
    }

    private partial CallInvoker CreateHttpCallInvoker()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _callInvoker;
    }

    /// <summary>Closes the channel's connections; calls still running fail. Disposes a supplied handler only when asked to.</summary>
    public partial void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _httpInvoker.Dispose();
    }

    private static SocketsHttpHandler CreateSocketsHttpHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        options.ConfigureSocketsHttpHandler?.Invoke(handler);
        return handler;
    }

    private static string BuildAcceptEncoding(ICompressionProvider[] providers)
    {
        var value = GrpcProtocol.IdentityEncoding;
        foreach (var provider in providers)
        {
            value += "," + provider.EncodingName;
        }

        return value;
    }
}
