using ConnectorKit.Grpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>Runs one method's calls: protocol checks, deadline, handler, final status.</summary>
internal abstract class ServerCallHandler<TService>
    where TService : class
{
    private readonly IMethod _method;
    private readonly MethodOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    protected ServerCallHandler(IMethod method, MethodOptions options, ILogger logger, TimeProvider timeProvider, ServiceActivator<TService> activator)
    {
        _method = method;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        Activator = activator;
    }

    protected ServiceActivator<TService> Activator { get; }

    public Task HandleCallAsync(HttpContext httpContext)
    {
        if (!HttpProtocol.IsHttp2(httpContext.Request.Protocol))
        {
            RejectProtocol(httpContext, StatusCodes.Status426UpgradeRequired, $"Request protocol '{httpContext.Request.Protocol}' is not supported; gRPC needs HTTP/2.");
            return Task.CompletedTask;
        }

        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            ServerLog.UnsupportedContentType(_logger, _method.FullName, httpContext.Request.ContentType);
            RejectProtocol(httpContext, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{httpContext.Request.ContentType}' is not supported.");
            return Task.CompletedTask;
        }

        var context = new HttpServerCallContext(httpContext, _options, _method, _logger);
        Task handlerTask;
        try
        {
            if (!context.Initialize(_timeProvider))
            {
                context.Dispose();
                return Task.CompletedTask;
            }

            handlerTask = HandleCoreAsync(context);
        }
        catch (Exception ex) when (context.Initialized)
        {
            // A handler that throws before its first await: handled below like any failed handler.
            handlerTask = Task.FromException(ex);
        }
        catch
        {
            context.Dispose();
            throw;
        }

        // Most unary calls end here without an async state machine: the request was buffered, the service answered at
        // once, and without a deadline nothing else can write to the response meanwhile.
        if (handlerTask.IsCompletedSuccessfully && !context.HasDeadline)
        {
            EndCall(context, context.Status);
            context.Dispose();
            return Task.CompletedTask;
        }

        return CompleteCallAsync(context, handlerTask);
    }

    private async Task CompleteCallAsync(HttpServerCallContext context, Task handlerTask)
    {
        using var _ = context;
        Status status;
        try
        {
            if (context.DeadlineReachedTask is { } deadlineReached && !handlerTask.IsCompleted)
            {
                var first = await Task.WhenAny(handlerTask, deadlineReached).ConfigureAwait(false);
                if (first != handlerTask)
                {
                    await context.CompleteWithDeadlineExceededAsync().ConfigureAwait(false);

                    // The HttpContext must outlive the handler, which now sees a cancelled token.
                    try
                    {
                        await handlerTask.ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        ServerLog.DeadlineCallbackFailed(_logger, _method.FullName, ex);
                    }

                    return;
                }
            }

            await handlerTask.ConfigureAwait(false);
            status = context.Status;
        }
        catch (Exception ex)
        {
            status = context.StatusFromException(ex);
        }

        if (context.DeadlineExceeded && status.StatusCode != StatusCode.OK)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (!context.HasDeadline)
        {
            EndCall(context, status);
            return;
        }

        try
        {
            await context.EndCallAsync(status).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            ServerLog.StatusNotSent(_logger, _method.FullName, ex);
        }
    }

    /// <summary>Ends a call that has no deadline, so no write lock: synchronously.</summary>
    private void EndCall(HttpServerCallContext context, Status status)
    {
        try
        {
            context.EndCall(status);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            ServerLog.StatusNotSent(_logger, _method.FullName, ex);
        }
    }

    protected abstract Task HandleCoreAsync(HttpServerCallContext context);

    private static void RejectProtocol(HttpContext httpContext, int httpStatus, string message)
    {
        var response = httpContext.Response;
        response.StatusCode = httpStatus;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
    }

    /// <summary>The innermost continuation: gets the service instance, calls it, releases it.</summary>
    protected async Task<TResult> InvokeAsync<TResult>(ServerCallContext context, Func<TService, Task<TResult>> call)
    {
        var (service, created) = Activator.Create(context.GetHttpContext());
        try
        {
            return await call(service).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }

    protected async Task InvokeAsync(ServerCallContext context, Func<TService, Task> call)
    {
        var (service, created) = Activator.Create(context.GetHttpContext());
        try
        {
            await call(service).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
        }
    }
}

internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Method<TRequest, TResponse> _method;
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _invoker;
    private readonly UnaryServerMethod<TRequest, TResponse>? _pipeline;

    public UnaryServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker, IReadOnlyList<Interceptor> interceptors, MethodOptions options, ILogger logger, TimeProvider timeProvider, ServiceActivator<TService> activator)
        : base(method, options, logger, timeProvider, activator)
    {
        _method = method;
        _invoker = invoker;
        if (interceptors.Count == 0)
        {
            // The hot path: no closure or delegate chain per call.
            return;
        }

        UnaryServerMethod<TRequest, TResponse> pipeline = (request, context) => InvokeAsync(context, service => invoker(service, request, context));
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var next = pipeline;
            var interceptor = interceptors[i];
            pipeline = (request, context) => interceptor.UnaryServerHandler(request, context, next);
        }

        _pipeline = pipeline;
    }

    protected override Task HandleCoreAsync(HttpServerCallContext context)
    {
        // The common case without an async state machine: the whole request is buffered already, no interceptors, no
        // deadline (so no write lock), and a service that exists beyond the call and answers at once.
        if (_pipeline is not null || context.HasDeadline || !context.TryReadSingleMessage(_method.RequestMarshaller, out var request))
        {
            return HandleCoreSlowAsync(context);
        }

        var (service, created) = Activator.Create(context.GetHttpContext());
        if (created)
        {
            return InvokeAndWriteAsync(context, request, service);
        }

        var responseTask = _invoker(service, request, context);
        if (!responseTask.IsCompletedSuccessfully)
        {
            return WriteWhenAnsweredAsync(context, responseTask);
        }

        context.WriteMessage(_method.ResponseMarshaller, responseTask.Result ?? throw NoResponse());
        return Task.CompletedTask;
    }

    private static RpcException NoResponse() => new(new Status(StatusCode.Internal, "The handler returned no response message."));

    private async Task WriteWhenAnsweredAsync(HttpServerCallContext context, Task<TResponse> responseTask)
    {
        var response = await responseTask.ConfigureAwait(false);
        await context.WriteMessageAsync(_method.ResponseMarshaller, response ?? throw NoResponse(), flush: false).ConfigureAwait(false);
    }

    private async Task InvokeAndWriteAsync(HttpServerCallContext context, TRequest request, TService service)
    {
        TResponse? response;
        try
        {
            response = await _invoker(service, request, context).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service, created: true).ConfigureAwait(false);
        }

        await context.WriteMessageAsync(_method.ResponseMarshaller, response ?? throw NoResponse(), flush: false).ConfigureAwait(false);
    }

    private async Task HandleCoreSlowAsync(HttpServerCallContext context)
    {
        var request = await context.ReadSingleMessageAsync(_method.RequestMarshaller).ConfigureAwait(false);
        TResponse? response;
        if (_pipeline is not null)
        {
            response = await _pipeline(request, context).ConfigureAwait(false);
        }
        else
        {
            var (service, created) = Activator.Create(context.GetHttpContext());
            try
            {
                response = await _invoker(service, request, context).ConfigureAwait(false);
            }
            finally
            {
                if (created)
                {
                    await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
                }
            }
        }

        await context.WriteMessageAsync(_method.ResponseMarshaller, response ?? throw NoResponse(), flush: false).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Method<TRequest, TResponse> _method;
    private readonly ClientStreamingServerMethod<TRequest, TResponse> _pipeline;

    public ClientStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker, IReadOnlyList<Interceptor> interceptors, MethodOptions options, ILogger logger, TimeProvider timeProvider, ServiceActivator<TService> activator)
        : base(method, options, logger, timeProvider, activator)
    {
        _method = method;
        ClientStreamingServerMethod<TRequest, TResponse> pipeline = (requestStream, context) => InvokeAsync(context, service => invoker(service, requestStream, context));
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var next = pipeline;
            var interceptor = interceptors[i];
            pipeline = (requestStream, context) => interceptor.ClientStreamingServerHandler(requestStream, context, next);
        }

        _pipeline = pipeline;
    }

    protected override async Task HandleCoreAsync(HttpServerCallContext context)
    {
        var reader = new HttpContextStreamReader<TRequest>(context, _method.RequestMarshaller);
        var response = await _pipeline(reader, context).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "The handler returned no response message."));
        await context.WriteMessageAsync(_method.ResponseMarshaller, response, flush: false).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Method<TRequest, TResponse> _method;
    private readonly ServerStreamingServerMethod<TRequest, TResponse> _pipeline;

    public ServerStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, IReadOnlyList<Interceptor> interceptors, MethodOptions options, ILogger logger, TimeProvider timeProvider, ServiceActivator<TService> activator)
        : base(method, options, logger, timeProvider, activator)
    {
        _method = method;
        ServerStreamingServerMethod<TRequest, TResponse> pipeline = (request, responseStream, context) => InvokeAsync(context, service => invoker(service, request, responseStream, context));
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var next = pipeline;
            var interceptor = interceptors[i];
            pipeline = (request, responseStream, context) => interceptor.ServerStreamingServerHandler(request, responseStream, context, next);
        }

        _pipeline = pipeline;
    }

    protected override async Task HandleCoreAsync(HttpServerCallContext context)
    {
        var request = await context.ReadSingleMessageAsync(_method.RequestMarshaller).ConfigureAwait(false);
        var writer = new HttpContextStreamWriter<TResponse>(context, _method.ResponseMarshaller);
        await _pipeline(request, writer, context).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Method<TRequest, TResponse> _method;
    private readonly DuplexStreamingServerMethod<TRequest, TResponse> _pipeline;

    public DuplexStreamingServerCallHandler(Method<TRequest, TResponse> method, Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker, IReadOnlyList<Interceptor> interceptors, MethodOptions options, ILogger logger, TimeProvider timeProvider, ServiceActivator<TService> activator)
        : base(method, options, logger, timeProvider, activator)
    {
        _method = method;
        DuplexStreamingServerMethod<TRequest, TResponse> pipeline = (requestStream, responseStream, context) => InvokeAsync(context, service => invoker(service, requestStream, responseStream, context));
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var next = pipeline;
            var interceptor = interceptors[i];
            pipeline = (requestStream, responseStream, context) => interceptor.DuplexStreamingServerHandler(requestStream, responseStream, context, next);
        }

        _pipeline = pipeline;
    }

    protected override Task HandleCoreAsync(HttpServerCallContext context)
    {
        var reader = new HttpContextStreamReader<TRequest>(context, _method.RequestMarshaller);
        var writer = new HttpContextStreamWriter<TResponse>(context, _method.ResponseMarshaller);
        return _pipeline(reader, writer, context);
    }
}

internal sealed class HttpContextStreamReader<T>(HttpServerCallContext context, Marshaller<T> marshaller) : IAsyncStreamReader<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("No message has been read; call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var (hasMessage, message) = await context.ReadStreamMessageAsync(marshaller, cancellationToken).ConfigureAwait(false);
        _current = message;
        return hasMessage;
    }
}

internal sealed class HttpContextStreamWriter<T>(HttpServerCallContext context, Marshaller<T> marshaller) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => context.WriteOptions;
        set => context.WriteOptions = value;
    }

    public Task WriteAsync(T message) => context.WriteMessageAsync(marshaller, message, flush: true);

    public Task WriteAsync(T message, CancellationToken cancellationToken) => context.WriteMessageAsync(marshaller, message, flush: true, cancellationToken);
}
