using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace ConnectorKit.Grpc.Internal;

/// <summary>
/// One client call over HTTP/2, for all four method types. The call ends exactly once, in
/// <see cref="TrySetStatus"/>: from the trailers, from a failure, from cancellation or from the deadline.
/// Whoever ends it with a local status also aborts the HTTP request, which resets the stream.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IClientCallState
    where TRequest : class
    where TResponse : class
{
    private enum ReadOutcome
    {
        NeedMore,
        Message,
        End,
    }

    private const int ReadIdle = 0;
    private const int Reading = 1;
    private const int ReadClosed = 2;

    // Big enough for most single responses; a bigger message grows it once to its frame's size.
    private const int SingleResponseBufferSize = 4096;

    // CancellationTokenSource timers accept at most uint.MaxValue - 1 milliseconds (about 49 days).
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: false);

    [ThreadStatic]
    private static PayloadDeserializationContext? t_deserializationContext;

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly DateTime? _deadline;
    private readonly CancellationTokenSource _cts;
    private readonly bool _hasTimer;
    private readonly bool _pooledCts;

    // The response headers: known once they arrive (or Empty when an OK call ended without them); the task is made
    // only when someone asks, since most unary callers never do. All three are guarded by _lock.
    private TaskCompletionSource<Metadata>? _headers;
    private Metadata? _headerMetadata;
    private bool _headersFailed;

    // Completed when the call's final status is set, whoever set it. Only request-streaming calls wait on it.
    private TaskCompletionSource? _ended;

    /// <summary>How long a failed request write waits for the server's own status before reporting the write's failure.</summary>
    /// <remarks>Generous because on a loaded machine reading the server's trailers can take seconds; the response side
    /// normally ends the call within milliseconds (or fails itself when the connection is gone), and the caller's
    /// cancellation or deadline ends the wait too.</remarks>
    private static readonly TimeSpan WriteFailureGrace = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();

    private CancellationTokenRegistration _userCancellation;
    private CancellationTokenRegistration _deadlineRegistration;
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private bool _trailersOnly;
    private string? _responseEncoding;
    private StreamingRequestContent? _requestContent;
    private FramingSerializationContext? _serializationContext;
    private Task _started = Task.CompletedTask;
    private int _readState;
    private bool _writePending;
    private bool _requestCompleted;

    // Written under _lock before _finished; read without the lock only after _finished is seen true.
    private Status _status;
    private Metadata _trailers = Metadata.Empty;
    private volatile bool _finished;
    private RpcException? _exception;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.Kind == DateTimeKind.Local ? deadline.ToUniversalTime() : deadline;
            var remaining = _deadline.Value - channel.TimeProvider.GetUtcNow().UtcDateTime;
            if (remaining > TimeSpan.Zero && remaining <= MaxTimerDelay)
            {
                _cts = new CancellationTokenSource(remaining, channel.TimeProvider);
                _hasTimer = true;
                return;
            }
        }

        _cts = CancellationSourcePool.Rent();
        _pooledCts = true;
    }

    public Task<Metadata> ResponseHeadersAsync
    {
        get
        {
            lock (_lock)
            {
                if (_headers is { } existing)
                {
                    return existing.Task;
                }

                var headers = _headers = new TaskCompletionSource<Metadata>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_headerMetadata is { } metadata)
                {
                    headers.TrySetResult(metadata);
                }
                else if (_headersFailed)
                {
                    headers.TrySetException(GetException());
                    _ = headers.Task.Exception;
                }

                return headers.Task;
            }
        }
    }

    public TResponse? Current { get; private set; }

    public Task<TResponse> StartUnary(TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _readState = Reading;
        return Begin() ? ReadSingleResponseAsync(request) : Task.FromException<TResponse>(GetException());
    }

    public void StartServerStreaming(TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Begin())
        {
            _started = StartStreamingAsync(request);
        }
    }

    public Task<TResponse> StartClientStreaming()
    {
        _requestContent = new StreamingRequestContent();
        _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _readState = Reading;
        if (!Begin())
        {
            return Task.FromException<TResponse>(GetException());
        }

        _started = StartStreamingAsync(null);
        return ReadSingleResponseAsync(null);
    }

    public void StartDuplexStreaming()
    {
        _requestContent = new StreamingRequestContent();
        _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Begin())
        {
            _started = StartStreamingAsync(null);
        }
    }

    public Status GetStatus() => _finished ? _status : throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => _finished ? _trailers : throw new InvalidOperationException("Can't get the call trailers because the call is not complete.");

    /// <summary>Cancels a call still running (CANCELLED, stream reset) and releases what it holds.</summary>
    public void Dispose()
    {
        TrySetStatus(new Status(StatusCode.Cancelled, "gRPC call disposed."), Metadata.Empty, abort: true);
        if (Interlocked.CompareExchange(ref _readState, ReadClosed, ReadIdle) == ReadIdle)
        {
            CloseReader();
        }
    }

    public async Task<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var state = Interlocked.CompareExchange(ref _readState, Reading, ReadIdle);
        if (state == Reading)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }

        if (state == ReadClosed)
        {
            return _status.StatusCode == StatusCode.OK ? false : throw GetException();
        }

        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(), this)
            : default;
        try
        {
            await _started.ConfigureAwait(false);
            ThrowIfFinished();
            if (!_trailersOnly)
            {
                var reader = await OpenReaderAsync().ConfigureAwait(false);
                while (true)
                {
                    var outcome = Consume(reader, await reader.ReadAsync().ConfigureAwait(false), out var message);
                    if (outcome == ReadOutcome.Message)
                    {
                        Current = message;
                        return true;
                    }

                    if (outcome == ReadOutcome.End)
                    {
                        break;
                    }
                }
            }

            var status = ReadFinalStatus(out var trailers);
            TrySetStatus(status, trailers, abort: false);
            return _status.StatusCode == StatusCode.OK ? false : throw GetException();
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            registration.Dispose();
            if (_finished)
            {
                CloseReader();
                Volatile.Write(ref _readState, ReadClosed);
            }
            else
            {
                Volatile.Write(ref _readState, ReadIdle);
            }
        }
    }

    public async Task WriteAsync(TRequest message, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            if (_finished)
            {
                throw _status.StatusCode == StatusCode.OK
                    ? new InvalidOperationException("Can't write the message because the call is complete.")
                    : GetException();
            }

            if (_requestCompleted)
            {
                throw new InvalidOperationException("Can't write the message because the request stream has been completed.");
            }

            if (_writePending)
            {
                throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
            }

            _writePending = true;
        }

        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(), this)
            : default;
        try
        {
            var writer = await _requestContent!.WriterTask.ConfigureAwait(false);
            var flags = (writeOptions ?? _options.WriteOptions)?.Flags ?? default;
            var context = _serializationContext ??= new FramingSerializationContext();
            var compression = (flags & WriteFlags.NoCompress) != 0 ? null : _channel.RequestCompression;
            context.Initialize(writer, compression, _channel.Options.MaxSendMessageSize);
            Serialize(message, context);
            if ((flags & WriteFlags.BufferHint) == 0)
            {
                // Completes once HTTP/2 flow control has taken the bytes: the caller's back-pressure.
                var result = await writer.FlushAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException();
                }
            }
        }
        catch (Exception ex)
        {
            if (!_finished)
            {
                // A server that ends the call while a request message is on its way resets the request side; the write
                // fails first, but the status the server sent is the one to report. Give the response side a moment to
                // read it (local cancellation and the deadline set their status before they cancel, so they skip this).
                await Task.WhenAny(_ended!.Task, Task.Delay(WriteFailureGrace)).ConfigureAwait(false);
            }

            if (_finished && _status.StatusCode == StatusCode.OK)
            {
                // The server ended the call successfully while this write was on its way.
                throw new InvalidOperationException("Can't write the message because the call is complete.", ex);
            }

            throw Fail(ex);
        }
        finally
        {
            registration.Dispose();
            lock (_lock)
            {
                _writePending = false;
            }
        }
    }

    public Task CompleteRequestAsync()
    {
        lock (_lock)
        {
            if (_writePending)
            {
                throw new InvalidOperationException("Can't complete the request stream while a write is in progress.");
            }

            if (_finished && _status.StatusCode != StatusCode.OK)
            {
                return Task.FromException(GetException());
            }

            _requestCompleted = true;
        }

        _requestContent!.Complete();
        return Task.CompletedTask;
    }

    /// <summary>False when the call ended before it began: its deadline already passed or its token was already cancelled.</summary>
    private bool Begin()
    {
        if (_deadline is { } deadline && deadline <= _channel.TimeProvider.GetUtcNow().UtcDateTime)
        {
            TrySetStatus(DeadlineExceeded(), Metadata.Empty, abort: false);
            return false;
        }

        var token = _options.CancellationToken;
        if (token.IsCancellationRequested)
        {
            TrySetStatus(CancelledByClient(), Metadata.Empty, abort: false);
            return false;
        }

        if (token.CanBeCanceled)
        {
            _userCancellation = token.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel(), this);
        }

        if (_hasTimer)
        {
            _deadlineRegistration = _cts.Token.UnsafeRegister(
                static state => ((GrpcCall<TRequest, TResponse>)state!).TrySetStatus(DeadlineExceeded(), Metadata.Empty, abort: true),
                this);
        }

        if (_finished)
        {
            // Ended while registering: drop what the ending could not see.
            _userCancellation.Unregister();
            _deadlineRegistration.Unregister();
            return false;
        }

        return true;
    }

    private async Task<TResponse> ReadSingleResponseAsync(TRequest? request)
    {
        byte[]? body = null;
        try
        {
            if (request is not null)
            {
                var content = SerializeUnary(request);
                var response = await _channel.HttpInvoker.SendAsync(PrepareRequest(content), _cts.Token).ConfigureAwait(false);
                OnResponseHeaders(response);
            }
            else
            {
                await _started.ConfigureAwait(false);
            }

            ThrowIfFinished();
            TResponse? single = null;
            if (!_trailersOnly)
            {
                // One loop in this method rather than a helper per message: a unary call then costs one state machine.
                // The body is read straight into a pooled array (no PipeReader): one message is expected, so a
                // message is parsed as soon as it is whole, and the array grows only for a message bigger than it.
                var stream = _channel.UsesBuiltInHandler
                    ? _response!.Content.ReadAsStream()
                    : await _response!.Content.ReadAsStreamAsync().ConfigureAwait(false);
                body = ArrayPool<byte>.Shared.Rent(SingleResponseBufferSize);
                var start = 0;
                var end = 0;
                while (true)
                {
                    if (end == body.Length)
                    {
                        body = MakeRoom(body, ref start, ref end);
                    }

                    var read = await stream.ReadAsync(body.AsMemory(end)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (end != start)
                        {
                            throw new RpcException(new Status(StatusCode.Internal, "The response ended in the middle of a message."));
                        }

                        break;
                    }

                    end += read;
                    while (MessageFraming.TryReadMessage(new ReadOnlySequence<byte>(body, start, end - start), _channel.Options.MaxReceiveMessageSize, out var compressed, out var payload))
                    {
                        if (single is not null)
                        {
                            throw new RpcException(new Status(StatusCode.Internal, "The server sent more than one response message for a call that expects one."));
                        }

                        single = Deserialize(payload, compressed);
                        start += GrpcProtocol.HeaderSize + (int)payload.Length;
                    }

                    if (start == end)
                    {
                        start = end = 0;
                    }
                }
            }

            var status = ReadFinalStatus(out var trailers);
            if (single is null && status.StatusCode == StatusCode.OK)
            {
                status = new Status(StatusCode.Internal, "Failed to deserialize response message: the call ended with OK but no message.");
            }

            TrySetStatus(status, trailers, abort: false);
            return _status.StatusCode == StatusCode.OK ? single! : throw GetException();
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
        finally
        {
            // No read is in flight here: every read above was awaited.
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }

            Volatile.Write(ref _readState, ReadClosed);
        }
    }

    /// <summary>
    /// The array is full: moves the unread bytes to the front, or, when they fill it, moves them into a bigger one
    /// (TryReadMessage has already refused a frame above the receive limit, so growth is bounded by it).
    /// </summary>
    private static byte[] MakeRoom(byte[] body, ref int start, ref int end)
    {
        var pending = end - start;
        if (start > 0)
        {
            Buffer.BlockCopy(body, start, body, 0, pending);
            start = 0;
            end = pending;
            return body;
        }

        var needed = body.Length * 2;
        if (pending >= GrpcProtocol.HeaderSize)
        {
            var frame = GrpcProtocol.HeaderSize + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4));
            needed = (int)Math.Min(Math.Max(needed, frame), Array.MaxLength);
        }

        var bigger = ArrayPool<byte>.Shared.Rent(needed);
        Buffer.BlockCopy(body, 0, bigger, 0, pending);
        ArrayPool<byte>.Shared.Return(body);
        return bigger;
    }

    private async Task StartStreamingAsync(TRequest? request)
    {
        try
        {
            HttpContent content = request is null ? _requestContent! : SerializeUnary(request);
            var response = await _channel.HttpInvoker.SendAsync(PrepareRequest(content), _cts.Token).ConfigureAwait(false);
            OnResponseHeaders(response);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private UnaryRequestContent SerializeUnary(TRequest request)
    {
        var flags = _options.WriteOptions?.Flags ?? default;
        var compression = (flags & WriteFlags.NoCompress) != 0 ? null : _channel.RequestCompression;
        var serializer = UnarySerializer.Rent();
        try
        {
            serializer.Writer.Reset(UnarySerializer.InitialBufferSize);
            serializer.Context.Initialize(serializer.Writer, compression, _channel.Options.MaxSendMessageSize);
            Serialize(request, serializer.Context);
            var buffer = serializer.Writer.Detach(out var length);
            return new UnaryRequestContent(buffer, length);
        }
        catch
        {
            serializer.Writer.Release();
            throw;
        }
        finally
        {
            UnarySerializer.Return(serializer);
        }
    }

    private void Serialize(TRequest message, FramingSerializationContext context)
    {
        try
        {
            _method.RequestMarshaller.ContextualSerializer(message, context);
            context.EnsureCompleted();
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Error serializing the request message.", ex));
        }
    }

    private HttpRequestMessage PrepareRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetRequestUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        var headers = request.Headers;
        headers.TryAddWithoutValidation("TE", "trailers");
        headers.TryAddWithoutValidation("User-Agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, _channel.AcceptEncoding);
        if (_channel.RequestCompression is { } compression)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, compression.EncodingName);
        }

        if (_deadline is { } deadline)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline - _channel.TimeProvider.GetUtcNow().UtcDateTime));
        }

        if (_options.Headers is { Count: > 0 } metadata)
        {
            HeaderMetadata.AddRequestHeaders(headers, metadata);
        }

        lock (_lock)
        {
            if (!_finished)
            {
                _request = request;
                return request;
            }
        }

        // Cancelled while preparing: send nothing.
        request.Dispose();
        throw GetException();
    }

    /// <summary>Takes the response headers: Trailers-Only, a non-gRPC answer (which ends the call), or the start of a body.</summary>
    private void OnResponseHeaders(HttpResponseMessage response)
    {
        lock (_lock)
        {
            if (!_finished)
            {
                _response = response;
            }
        }

        if (_response != response)
        {
            response.Dispose();
            throw GetException();
        }

        if (HeaderMetadata.GetValue(response.Headers, GrpcProtocol.StatusHeader) is not null)
        {
            // Trailers-Only: the status arrived with the headers, which double as the trailers.
            _trailersOnly = true;
            SetResponseHeaders(HeaderMetadata.Read(response.Headers, response.Content.Headers));
            return;
        }

        var contentType = HeaderMetadata.GetValue(response.Content.Headers, "Content-Type");
        if (response.StatusCode != HttpStatusCode.OK || !GrpcProtocol.IsGrpcContentType(contentType))
        {
            var httpStatus = (int)response.StatusCode;
            var detail = response.StatusCode != HttpStatusCode.OK
                ? $"Bad gRPC response. HTTP status code: {httpStatus}."
                : $"Bad gRPC response. HTTP status code: {httpStatus}, but content-type is '{contentType}' rather than {GrpcProtocol.ContentType}.";
            TrySetStatus(new Status(GrpcProtocol.FromHttpStatus(httpStatus), detail), HeaderMetadata.Read(response.Headers), abort: true);
            throw GetException();
        }

        _responseEncoding = HeaderMetadata.GetValue(response.Headers, GrpcProtocol.EncodingHeader);
        SetResponseHeaders(HeaderMetadata.Read(response.Headers, response.Content.Headers));
    }

    private void SetResponseHeaders(Metadata metadata)
    {
        TaskCompletionSource<Metadata>? headers;
        lock (_lock)
        {
            if (_headerMetadata is not null || _headersFailed)
            {
                return;
            }

            _headerMetadata = metadata;
            headers = _headers;
        }

        headers?.TrySetResult(metadata);
    }

    private ValueTask<PipeReader> OpenReaderAsync()
    {
        if (_reader is { } reader)
        {
            return new ValueTask<PipeReader>(reader);
        }

        // The built-in handler's response content hands its stream over synchronously; other handlers' content may not.
        return _channel.UsesBuiltInHandler
            ? new ValueTask<PipeReader>(_reader = PipeReader.Create(_response!.Content.ReadAsStream(), ReaderOptions))
            : OpenReaderSlowAsync();
    }

    private async ValueTask<PipeReader> OpenReaderSlowAsync()
    {
        var stream = await _response!.Content.ReadAsStreamAsync().ConfigureAwait(false);
        return _reader = PipeReader.Create(stream, ReaderOptions);
    }

    /// <summary>Takes at most one message out of what the reader returned. Only the reading flow calls it.</summary>
    private ReadOutcome Consume(PipeReader reader, in ReadResult result, out TResponse? message)
    {
        message = null;
        var buffer = result.Buffer;
        if (MessageFraming.TryReadMessage(buffer, _channel.Options.MaxReceiveMessageSize, out var compressed, out var payload))
        {
            try
            {
                message = Deserialize(payload, compressed);
            }
            finally
            {
                reader.AdvanceTo(payload.End);
            }

            return ReadOutcome.Message;
        }

        if (result.IsCompleted)
        {
            if (!buffer.IsEmpty)
            {
                throw new RpcException(new Status(StatusCode.Internal, "The response ended in the middle of a message."));
            }

            reader.AdvanceTo(buffer.End);
            return ReadOutcome.End;
        }

        if (result.IsCanceled)
        {
            throw new OperationCanceledException();
        }

        reader.AdvanceTo(buffer.Start, buffer.End);
        return ReadOutcome.NeedMore;
    }

    private TResponse Deserialize(in ReadOnlySequence<byte> payload, bool compressed)
    {
        // Deserialization is synchronous, so one context per thread serves every call; a nested call on the same
        // thread (a marshaller that makes a call) finds the slot empty and makes its own.
        var context = t_deserializationContext ?? new PayloadDeserializationContext();
        t_deserializationContext = null;
        if (compressed)
        {
            var encoding = _responseEncoding;
            if (encoding is null || string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.Internal, "Received a compressed message but the response has no grpc-encoding."));
            }

            var provider = _channel.FindCompressionProvider(encoding)
                ?? throw new RpcException(new Status(StatusCode.Internal, $"Received a message compressed with '{encoding}', which the channel does not support."));
            context.Initialize(new ReadOnlySequence<byte>(MessageFraming.Decompress(payload, provider, _channel.Options.MaxReceiveMessageSize)));
        }
        else
        {
            context.Initialize(payload);
        }

        try
        {
            return _method.ResponseMarshaller.ContextualDeserializer(context)
                ?? throw new RpcException(new Status(StatusCode.Internal, "The response marshaller returned null."));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize response message.", ex));
        }
        finally
        {
            context.Reset();
            t_deserializationContext = context;
        }
    }

    /// <summary>The status at the end of the body: from the trailers, or from the headers of a Trailers-Only response.</summary>
    private Status ReadFinalStatus(out Metadata trailers)
    {
        var response = _response!;
        if (_trailersOnly)
        {
            trailers = _headerMetadata ?? Metadata.Empty;
            return HeaderMetadata.TryGetStatus(response.Headers, out var headerStatus)
                ? headerStatus
                : new Status(StatusCode.Internal, "No grpc-status found on response.");
        }

        trailers = HeaderMetadata.Read(response.TrailingHeaders);
        return HeaderMetadata.TryGetStatus(response.TrailingHeaders, out var status)
            ? status
            : new Status(StatusCode.Internal, "No grpc-status found on response.");
    }

    private void Cancel() => TrySetStatus(CancelledByClient(), Metadata.Empty, abort: true);

    /// <summary>Ends the call. Only the first caller wins; with <paramref name="abort"/> it also resets the HTTP/2 stream.</summary>
    private bool TrySetStatus(Status status, Metadata trailers, bool abort)
    {
        HttpRequestMessage? request;
        HttpResponseMessage? response;
        TaskCompletionSource<Metadata>? headers;
        lock (_lock)
        {
            if (_finished)
            {
                return false;
            }

            _status = status;
            _trailers = trailers;
            _finished = true;
            request = _request;
            response = _response;
            if (_headerMetadata is null)
            {
                if (status.StatusCode == StatusCode.OK)
                {
                    _headerMetadata = Metadata.Empty;
                }
                else
                {
                    _headersFailed = true;
                }
            }

            headers = _headers;
        }

        _ended?.TrySetResult();

        _userCancellation.Unregister();
        _deadlineRegistration.Unregister();
        if (_hasTimer && !abort)
        {
            _cts.CancelAfter(Timeout.InfiniteTimeSpan);
        }

        if (status.StatusCode == StatusCode.OK)
        {
            headers?.TrySetResult(_headerMetadata!);
        }
        else
        {
            if (headers is not null && _headersFailed && headers.TrySetException(GetException()))
            {
                // Callers that only await the response must not see this fault reported as unobserved.
                _ = headers.Task.Exception;
            }

            GrpcClientLog.CallFailed(_channel.Logger, _method.FullName, status.StatusCode, status.Detail, status.DebugException);
        }

        // Without a half-close from the caller the body is aborted, so the stream is reset rather than ended.
        _requestContent?.Abort();
        if (abort)
        {
            _cts.Cancel();
        }

        response?.Dispose();
        request?.Dispose();
        if (_pooledCts && !abort && status.StatusCode == StatusCode.OK && _requestContent is null)
        {
            // The response was read to its end, so the handler is done with the token; nobody cancels it any more
            // (the call is finished), so the next call can have it. Calls that send a request stream keep theirs.
            CancellationSourcePool.Return(_cts);
        }

        return true;
    }

    /// <summary>Turns whatever stopped the call into its final status and returns the exception callers see.</summary>
    private RpcException Fail(Exception exception)
    {
        if (!_finished)
        {
            var status = exception is RpcException rpc ? rpc.Status : MapException(exception);
            var trailers = exception is RpcException withTrailers ? withTrailers.Trailers : Metadata.Empty;
            TrySetStatus(status, trailers, abort: true);
        }

        return GetException();
    }

    private Status MapException(Exception exception)
    {
        // Local cancellation always sets the status before it cancels; a cancelled token without one is the deadline timer.
        if (_cts.IsCancellationRequested)
        {
            return DeadlineExceeded();
        }

        return exception switch
        {
            HttpRequestException { InnerException: HttpProtocolException protocol } => FromHttp2Error(protocol),
            HttpProtocolException protocol => FromHttp2Error(protocol),
            HttpRequestException http => new Status(StatusCode.Unavailable, $"Error starting gRPC call. {http.GetType().Name}: {http.Message}", http),
            OperationCanceledException canceled => new Status(StatusCode.Cancelled, "The call was canceled.", canceled),
            ObjectDisposedException disposed when _channel.IsDisposed => new Status(StatusCode.Unavailable, "The channel was disposed.", disposed),
            IOException io => new Status(StatusCode.Unavailable, $"Error reading or writing the call's stream. {io.GetType().Name}: {io.Message}", io),

            // The transport failing under a read can surface as the bare socket error (a bank restarting, a reset connection).
            System.Net.Sockets.SocketException socket => new Status(StatusCode.Unavailable, $"Error reading or writing the call's stream. {socket.GetType().Name}: {socket.Message}", socket),
            _ => new Status(StatusCode.Internal, $"Error in gRPC call. {exception.GetType().Name}: {exception.Message}", exception),
        };
    }

    /// <summary>RST_STREAM and GOAWAY codes mapped as PROTOCOL-HTTP2.md's "Errors" section says.</summary>
    private static Status FromHttp2Error(HttpProtocolException exception)
    {
        var code = exception.ErrorCode switch
        {
            0x7 => StatusCode.Unavailable,          // REFUSED_STREAM
            0x8 => StatusCode.Cancelled,            // CANCEL
            0xB => StatusCode.ResourceExhausted,    // ENHANCE_YOUR_CALM
            0xC => StatusCode.PermissionDenied,     // INADEQUATE_SECURITY
            _ => StatusCode.Internal,
        };
        return new Status(code, $"HTTP/2 error code 0x{exception.ErrorCode:X} from the server. {exception.Message}", exception);
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw GetException();
        }
    }

    private RpcException GetException() => _exception ??= new RpcException(_status, _trailers);

    private void CloseReader()
    {
        var reader = Interlocked.Exchange(ref _reader, null);
        if (reader is null)
        {
            return;
        }

        try
        {
            reader.Complete();
        }
        catch (Exception)
        {
            // The stream was already torn down by an abort; there is nothing left to release.
        }
    }

    private static Status DeadlineExceeded() => new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    private static Status CancelledByClient() => new(StatusCode.Cancelled, "Call canceled by the client.");
}

/// <summary>A per-thread serializer for single request messages; serialization is synchronous, so a thread needs one at a time.</summary>
internal static class UnarySerializer
{
    public const int InitialBufferSize = 4096;

    // Buffers of non-direct marshallers and compression grow to the largest message; don't keep big ones per thread.
    private const int MaxRetainedCapacity = 64 * 1024;

    [ThreadStatic]
    private static Instance? t_cached;

    public static Instance Rent()
    {
        var cached = t_cached;
        t_cached = null;
        return cached ?? new Instance();
    }

    public static void Return(Instance instance)
    {
        if (instance.Context.BufferCapacity <= MaxRetainedCapacity)
        {
            t_cached = instance;
        }
    }

    public sealed class Instance
    {
        public PooledBufferWriter Writer { get; } = new();

        public FramingSerializationContext Context { get; } = new();
    }
}

/// <summary>
/// Cancellation sources of calls that ended OK, reset for the next call: a call without a deadline then allocates no
/// source, and the handler's registration on its token reuses the source's registration nodes.
/// </summary>
internal static class CancellationSourcePool
{
    private static readonly CancellationTokenSource?[] Slots = new CancellationTokenSource?[Math.Clamp(Environment.ProcessorCount * 4, 8, 64)];

    public static CancellationTokenSource Rent()
    {
        var slots = Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is not null && Interlocked.Exchange(ref slots[i], null) is { } source)
            {
                return source;
            }
        }

        return new CancellationTokenSource();
    }

    /// <summary>Only for a source that nobody cancels any more; registrations still on it are dropped by the reset.</summary>
    public static void Return(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            return;
        }

        var slots = Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], source, null) is null)
            {
                return;
            }
        }
    }
}
