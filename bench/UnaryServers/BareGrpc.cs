using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Bench.UnaryServers;

/// <summary>
/// The floor: what any gRPC server on Kestrel must at least do for a unary call, and nothing more. Drains the
/// request, writes a precomputed frame unflushed (as ConnectorKit does) and ends with grpc-status 0 in trailers.
/// </summary>
public static class BareGrpc
{
    public static async Task AnswerAsync(HttpContext context, byte[] framedResponse, CallCounter counter)
    {
        counter.Increment();
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                break;
            }
        }

        var response = context.Response;
        response.ContentType = "application/grpc";
        response.BodyWriter.Write(framedResponse);
        response.AppendTrailer("grpc-status", "0");
    }
}
