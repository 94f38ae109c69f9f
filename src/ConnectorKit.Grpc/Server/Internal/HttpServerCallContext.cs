using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using ConnectorKit.Grpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>
/// One server call over one HTTP/2 stream. Owns the call's cancellation (client reset, deadline), writes
/// response messages into Kestrel's PipeWriter and ends the call with status trailers, or Trailers-Only when
/// nothing was sent yet.
/// </summary>
internal sealed class HttpServerCallContext : ServerCallContext, IGrpcRequestMessageFeature, IDisposable
{
    private readonly HttpContext _httpContext;
    private readonly MethodOptions _options;
    private readonly IMethod _method;
    private readonly ILogger _logger;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private CancellationTokenSource? _callCts;
    private DateTime _deadline;
    private ITimer? _deadlineTimer;
    private TaskCompletionSource? _deadlineReached;
    private SemaphoreSlim? _writeLock;
    private bool _headersWritten;
    private bool _completed;
    private string? _responseCompression;
    private ICompressionProvider? _announcedCompression;

    public HttpServerCallContext(HttpContext httpContext, MethodOptions options, IMethod method, ILogger logger)
    {
        _httpContext = httpContext;
        _options = options;
        _method = method;
        _logger = logger;
        _deadline = DateTime.MaxValue;
    }

    public override string Method => _method.FullName;

    public override string Host => _httpContext.Request.Host.Value ?? string.Empty;

    public override string Peer
    {
        get
        {
            var connection = _httpContext.Connection;
            var ip = connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }

            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"ipv6:[{ip}]:{connection.RemotePort}"
                : $"ipv4:{ip}:{connection.RemotePort}";
        }
    }

    public override DateTime Deadline => _deadline;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders(_httpContext.Request.Headers);

    public override CancellationToken CancellationToken => _callCts?.Token ?? _httpContext.RequestAborted;

    public override Metadata ResponseTrailers => _responseTrailers ??= [];

    public override Status Status { get; set; }

    public override WriteOptions? WriteOptions { get; set; }

    public override string? ResponseCompression
    {
        get => _responseCompression ?? _options.ResponseCompressionAlgorithm;
        set
        {
            // The encoding is announced in the response headers; after they are out it cannot change.
            if (!_headersWritten)
            {
                _responseCompression = value;
            }
        }
    }

    public bool LastMessageCompressed { get; private set; }

    public int MessagesRead { get; private set; }

    public bool DeadlineExceeded { get; private set; }

    /// <summary>The compression the request messages use, or null for identity.</summary>
    public ICompressionProvider? RequestCompressionProvider { get; private set; }

    public MethodOptions Options => _options;

    /// <summary>Whether the client set a deadline; only then can a timer write to the response while the handler runs.</summary>
    public bool HasDeadline => _deadlineReached is not null;

    /// <summary>Whether <see cref="Initialize"/> ran to its end and the call goes on.</summary>
    public bool Initialized { get; private set; }

    /// <summary>Completes when the deadline passes; null when the call has none.</summary>
    public Task? DeadlineReachedTask => _deadlineReached?.Task;

    public override HttpContext GetHttpContext() => _httpContext;

    /// <summary>
    /// Reads the protocol headers. Returns false when the call was already answered (bad encoding).
    /// </summary>
    public bool Initialize(TimeProvider timeProvider)
    {
        var request = _httpContext.Request;
        var response = _httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;

        // The typed grpc-* properties are fields in Kestrel's header collections: no lookup by name per call.
        var encoding = request.Headers.GrpcEncoding;
        if (!StringValues.IsNullOrEmpty(encoding) && encoding != GrpcProtocol.IdentityEncoding)
        {
            RequestCompressionProvider = _options.FindCompressionProvider(encoding.ToString());
            if (RequestCompressionProvider is null)
            {
                response.Headers[GrpcProtocol.AcceptEncodingHeader] = _options.AcceptEncodingValue;
                SetTrailersOnly(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {_options.AcceptEncodingValue}"));
                _completed = true;
                return false;
            }
        }

        var timeoutHeader = request.Headers.GrpcTimeout;
        if (!StringValues.IsNullOrEmpty(timeoutHeader) && GrpcTimeout.TryParse(timeoutHeader.ToString(), out var timeout))
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            _deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(_httpContext.RequestAborted);
            _deadlineReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _writeLock = new SemaphoreSlim(1, 1);
            var due = timeout > TimeSpan.FromMilliseconds(uint.MaxValue - 1) ? TimeSpan.FromMilliseconds(uint.MaxValue - 1) : timeout;
            _deadlineTimer = timeProvider.CreateTimer(static state => ((HttpServerCallContext)state!).OnDeadline(), this, due, Timeout.InfiniteTimeSpan);
        }

        Initialized = true;
        return true;
    }

    /// <summary>
    /// Reads the request message without waiting when the whole request, end of stream included, is buffered already
    /// and well formed. Otherwise leaves the body unread and returns false: <see cref="ReadSingleMessageAsync"/> then
    /// reads it, and reports whatever is wrong with it.
    /// </summary>
    public bool TryReadSingleMessage<TRequest>(Marshaller<TRequest> marshaller, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TRequest message)
    {
        message = default;
        var reader = _httpContext.Request.BodyReader;
        ReadResult result;
        try
        {
            if (!reader.TryRead(out result))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client is gone; the asynchronous read meets the same failure and answers CANCELLED.
            return false;
        }

        var buffer = result.Buffer;
        if (!result.IsCompleted
            || result.IsCanceled
            || buffer.Length < GrpcProtocol.HeaderSize
            || !MessageFraming.TryReadMessage(buffer, _options.MaxReceiveMessageSize, out var compressed, out var payload)
            || buffer.Length != GrpcProtocol.HeaderSize + payload.Length)
        {
            reader.AdvanceTo(buffer.Start);
            return false;
        }

        try
        {
            message = Deserialize(marshaller, payload, compressed);
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }

        return true;
    }

    /// <summary>Reads exactly one request message (unary and server-streaming calls).</summary>
    public async ValueTask<TRequest> ReadSingleMessageAsync<TRequest>(Marshaller<TRequest> marshaller)
    {
        var reader = _httpContext.Request.BodyReader;
        var token = CancellationToken;
        TRequest? message = default;
        var haveMessage = false;
        while (true)
        {
            var result = await ReadBodyAsync(reader, token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!haveMessage)
            {
                if (MessageFraming.TryReadMessage(buffer, _options.MaxReceiveMessageSize, out var compressed, out var payload))
                {
                    message = Deserialize(marshaller, payload, compressed);
                    haveMessage = true;
                    buffer = buffer.Slice(payload.End);
                }
            }

            if (haveMessage && !buffer.IsEmpty)
            {
                reader.AdvanceTo(buffer.End);
                throw new RpcException(new Status(StatusCode.Internal, "Additional unexpected message for a unary request."));
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (!haveMessage)
                {
                    throw new RpcException(new Status(StatusCode.Internal, buffer.IsEmpty ? "Request did not include a message." : "Incomplete message: the request ended inside a message frame."));
                }

                return message!;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads the next request message of a stream, or returns false at its end.</summary>
    public async ValueTask<(bool HasMessage, TRequest? Message)> ReadStreamMessageAsync<TRequest>(Marshaller<TRequest> marshaller, CancellationToken cancellationToken)
    {
        var reader = _httpContext.Request.BodyReader;
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken) : null;
        var token = linked?.Token ?? CancellationToken;
        while (true)
        {
            var result = await ReadBodyAsync(reader, token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (MessageFraming.TryReadMessage(buffer, _options.MaxReceiveMessageSize, out var compressed, out var payload))
            {
                TRequest message;
                try
                {
                    message = Deserialize(marshaller, payload, compressed);
                }
                finally
                {
                    reader.AdvanceTo(payload.End);
                }

                return (true, message);
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "Incomplete message: the request ended inside a message frame."));
                }

                return (false, default);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes one response message; flushes unless <paramref name="flush"/> is false or the write is buffered.</summary>
    public async Task WriteMessageAsync<TResponse>(Marshaller<TResponse> marshaller, TResponse message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writeLock = _writeLock;
        if (writeLock is not null)
        {
            await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var options = WriteMessageCore(marshaller, message);
            if (flush && (options is null || (options.Flags & WriteFlags.BufferHint) == 0))
            {
                await _httpContext.Response.BodyWriter.FlushAsync(cancellationToken.CanBeCanceled ? cancellationToken : CancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            writeLock?.Release();
        }
    }

    /// <summary>Writes one response message without flushing. Only for calls without a deadline, which have no write lock.</summary>
    public void WriteMessage<TResponse>(Marshaller<TResponse> marshaller, TResponse message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Debug.Assert(_writeLock is null, "A call with a deadline must write under its lock.");
        WriteMessageCore(marshaller, message);
    }

    private WriteOptions? WriteMessageCore<TResponse>(Marshaller<TResponse> marshaller, TResponse message)
    {
        ThrowIfCompleted();
        var writer = _httpContext.Response.BodyWriter;
        if (!_headersWritten)
        {
            PrepareResponseHeaders();
        }

        var options = WriteOptions;
        var compression = options is not null && (options.Flags & WriteFlags.NoCompress) != 0 ? null : _announcedCompression;
        var context = PerThreadContexts.RentSerialization();
        context.Initialize(writer, compression, _options.MaxSendMessageSize);
        marshaller.ContextualSerializer(message, context);
        context.EnsureCompleted();

        // Not returned when the marshaller throws: it may still hold the context.
        PerThreadContexts.Return(context);
        return options;
    }

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        var writeLock = _writeLock;
        if (writeLock is not null)
        {
            await writeLock.WaitAsync(CancellationToken).ConfigureAwait(false);
        }

        try
        {
            ThrowIfCompleted();
            if (_headersWritten || _httpContext.Response.HasStarted)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call.");
            }

            var headers = _httpContext.Response.Headers;
            foreach (var entry in responseHeaders)
            {
                AppendMetadata(headers, entry);
            }

            PrepareResponseHeaders();
            await _httpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock?.Release();
        }
    }

    /// <summary>Sends the final status. Safe to call once the handler finished; a second call does nothing.</summary>
    public async Task EndCallAsync(Status status)
    {
        var writeLock = _writeLock;
        if (writeLock is not null)
        {
            await writeLock.WaitAsync().ConfigureAwait(false);
        }

        try
        {
            EndCallCore(status);
        }
        finally
        {
            writeLock?.Release();
        }
    }

    /// <summary><see cref="EndCallAsync"/> for calls without a deadline, which have no write lock.</summary>
    public void EndCall(Status status)
    {
        Debug.Assert(_writeLock is null, "A call with a deadline must end under its lock.");
        EndCallCore(status);
    }

    private void EndCallCore(Status status)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;

        // A written message may still sit unflushed in the PipeWriter, so HasStarted alone is not enough.
        if (_headersWritten || _httpContext.Response.HasStarted)
        {
            WriteTrailers(status);
        }
        else
        {
            SetTrailersOnly(status);
        }
    }

    /// <summary>Turns a handler's failure into the status sent to the client, logging what the client will not see.</summary>
    public Status StatusFromException(Exception exception)
    {
        switch (exception)
        {
            case RpcException rpc:
                foreach (var entry in rpc.Trailers)
                {
                    ResponseTrailers.Add(entry);
                }

                return rpc.Status;
            case OperationCanceledException when DeadlineExceeded:
                return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
            case OperationCanceledException when CancellationToken.IsCancellationRequested:
                return new Status(StatusCode.Cancelled, "Call canceled by the client.");
            default:
                ServerLog.HandlerFailed(_logger, Method, exception);
                var detail = _options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
                    : "Exception was thrown by handler.";
                return new Status(StatusCode.Unknown, detail, exception);
        }
    }

    public void Dispose()
    {
        _deadlineTimer?.Dispose();
        _callCts?.Dispose();
    }

    private void OnDeadline()
    {
        DeadlineExceeded = true;
        try
        {
            _callCts?.Cancel();
        }
        catch (AggregateException ex)
        {
            ServerLog.DeadlineCallbackFailed(_logger, Method, ex);
        }

        _deadlineReached?.TrySetResult();
    }

    /// <summary>Answers DEADLINE_EXCEEDED at once, even while the handler still runs, then ends the HTTP/2 stream.</summary>
    public async Task CompleteWithDeadlineExceededAsync()
    {
        await EndCallAsync(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")).ConfigureAwait(false);
        try
        {
            await _httpContext.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            ServerLog.DeadlineCallbackFailed(_logger, Method, ex);
        }
    }

    private async ValueTask<ReadResult> ReadBodyAsync(PipeReader reader, CancellationToken token)
    {
        try
        {
            var result = await reader.ReadAsync(token).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(token);
            }

            return result;
        }
        catch (OperationCanceledException) when (DeadlineExceeded)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client.", ex));
        }
    }

    private TRequest Deserialize<TRequest>(Marshaller<TRequest> marshaller, in ReadOnlySequence<byte> payload, bool compressed)
    {
        LastMessageCompressed = compressed;
        MessagesRead++;
        var message = payload;
        if (compressed)
        {
            if (RequestCompressionProvider is null)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Request message is flagged compressed but the call has no grpc-encoding."));
            }

            message = new ReadOnlySequence<byte>(MessageFraming.Decompress(payload, RequestCompressionProvider, _options.MaxReceiveMessageSize));
        }

        var context = PerThreadContexts.RentDeserialization();
        context.Initialize(message);
        try
        {
            return marshaller.ContextualDeserializer(context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize the request message.", ex));
        }
        finally
        {
            PerThreadContexts.Return(context);
        }
    }

    private ICompressionProvider? ResolveResponseCompression()
    {
        var name = ResponseCompression;
        if (name is null || name == GrpcProtocol.IdentityEncoding)
        {
            return null;
        }

        var accepted = _httpContext.Request.Headers.GrpcAcceptEncoding.ToString();
        if (!AcceptsEncoding(accepted, name))
        {
            return null;
        }

        return _options.FindCompressionProvider(name);
    }

    private static bool AcceptsEncoding(string acceptHeader, string name)
    {
        foreach (var range in acceptHeader.AsSpan().Split(','))
        {
            if (acceptHeader.AsSpan()[range].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void PrepareResponseHeaders()
    {
        _headersWritten = true;
        var headers = _httpContext.Response.Headers;
        headers.GrpcAcceptEncoding = _options.AcceptEncodingValue;
        _announcedCompression = ResolveResponseCompression();
        if (_announcedCompression is not null)
        {
            headers.GrpcEncoding = _announcedCompression.EncodingName;
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException(DeadlineExceeded
                ? "The call's deadline has passed; it has already ended with DEADLINE_EXCEEDED."
                : "The call has already ended.");
        }
    }

    private void WriteTrailers(Status status)
    {
        // What SupportsTrailers and AppendTrailer do, with one feature lookup instead of one per trailer.
        var trailers = _httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        if (trailers is null || trailers.IsReadOnly)
        {
            return;
        }

        trailers.GrpcStatus = StatusText(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            trailers.GrpcMessage = PercentEncoding.Encode(status.Detail);
        }

        if (_responseTrailers is { Count: > 0 } metadata)
        {
            foreach (var entry in metadata)
            {
                trailers.Append(entry.Key, EncodeValue(entry));
            }
        }
    }

    private void SetTrailersOnly(Status status)
    {
        var headers = _httpContext.Response.Headers;
        headers.GrpcStatus = StatusText(status.StatusCode);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers.GrpcMessage = PercentEncoding.Encode(status.Detail);
        }

        if (_responseTrailers is { Count: > 0 } trailers)
        {
            foreach (var entry in trailers)
            {
                AppendMetadata(headers, entry);
            }
        }
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata.Entry entry)
        => headers.Append(entry.Key, EncodeValue(entry));

    private static string EncodeValue(Metadata.Entry entry)
        => entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    private static string StatusText(StatusCode code) => code switch
    {
        StatusCode.OK => "0",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void TryAdd(Metadata metadata, Func<Metadata.Entry> create)
    {
        try
        {
            metadata.Add(create());
        }
        catch (ArgumentException)
        {
            // Not representable as gRPC metadata; see ReadRequestHeaders.
        }
    }

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }

            var key = header.Key.ToLowerInvariant();
            foreach (var value in header.Value)
            {
                if (value is null)
                {
                    continue;
                }

                // Entries a client could not legally send (bad base64, non-ASCII text) are left out, not fatal.
                if (Metadata.Entry.IsBinaryKey(key))
                {
                    foreach (var part in value.Split(','))
                    {
                        if (Base64.DecodeLenient(part) is { } bytes)
                        {
                            TryAdd(metadata, () => new Metadata.Entry(key, bytes));
                        }
                    }
                }
                else
                {
                    TryAdd(metadata, () => new Metadata.Entry(key, value));
                }
            }
        }

        return metadata;
    }
}
