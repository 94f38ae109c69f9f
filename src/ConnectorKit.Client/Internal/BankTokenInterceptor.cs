using ConnectorKit.Grpc;

namespace ConnectorKit.Client.Internal;

/// <summary>Adds <c>authorization: Bearer …</c> from the token provider to every call, the raw generated clients' calls included.</summary>
internal sealed class BankTokenInterceptor(string bankId, IBankTokenProvider provider) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var token = provider.GetTokenAsync(bankId, context.Options.CancellationToken);
        if (token.IsCompletedSuccessfully)
        {
            return continuation(request, WithToken(context, token.Result));
        }

        // A provider that has to fetch a token: start the call once the token is there.
        var started = StartAsync(token, request, context, continuation);
        return new AsyncUnaryCall<TResponse>(
            AwaitResponse(started),
            AwaitHeaders(started),
            () => started.IsCompletedSuccessfully ? started.Result.GetStatus() : new Status(StatusCode.Unknown, "The call has not started."),
            () => started.IsCompletedSuccessfully ? started.Result.GetTrailers() : Metadata.Empty,
            () =>
            {
                if (started.IsCompletedSuccessfully)
                {
                    started.Result.Dispose();
                }
            });
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        // The streaming call object must exist before any write, so a token that is not ready is waited for here.
        var token = provider.GetTokenAsync(bankId, context.Options.CancellationToken);
        var value = token.IsCompletedSuccessfully ? token.Result : token.AsTask().GetAwaiter().GetResult();
        return continuation(WithToken(context, value));
    }

    private static async Task<AsyncUnaryCall<TResponse>> StartAsync<TRequest, TResponse>(ValueTask<string?> token, TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
        => continuation(request, WithToken(context, await token.ConfigureAwait(false)));

    private static async Task<TResponse> AwaitResponse<TResponse>(Task<AsyncUnaryCall<TResponse>> started)
        => await (await started.ConfigureAwait(false)).ResponseAsync.ConfigureAwait(false);

    private static async Task<Metadata> AwaitHeaders<TResponse>(Task<AsyncUnaryCall<TResponse>> started)
        => await (await started.ConfigureAwait(false)).ResponseHeadersAsync.ConfigureAwait(false);

    private static ClientInterceptorContext<TRequest, TResponse> WithToken<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, string? token)
        where TRequest : class
        where TResponse : class
    {
        if (string.IsNullOrEmpty(token))
        {
            return context;
        }

        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            headers.Add(entry);
        }

        headers.Add("authorization", "Bearer " + token);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
