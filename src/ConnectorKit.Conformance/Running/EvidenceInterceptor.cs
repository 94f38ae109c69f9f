using ConnectorKit.Grpc;
using Google.Protobuf;

namespace ConnectorKit.Conformance.Running;

/// <summary>Records each unary call of a case — method, request, response or status — as evidence, masked.</summary>
internal sealed class EvidenceInterceptor(EvidenceLog log) : Interceptor
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var method = context.Method.FullName;
        log.Add("→ " + method, Format(request));
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Record(method, call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        log.Add("→ " + context.Method.FullName, "(client stream)");
        return continuation(context);
    }

    private async Task<TResponse> Record<TResponse>(string method, Task<TResponse> response)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            log.Add("← " + method, Format(result));
            return result;
        }
        catch (RpcException ex)
        {
            log.Add("← " + method, $"{ex.StatusCode.ToWireName()}: {ex.Status.Detail}");
            throw;
        }
    }

    private static string Format(object? message) => message is IMessage m ? Json.Format(m) : message?.ToString() ?? "(null)";
}
