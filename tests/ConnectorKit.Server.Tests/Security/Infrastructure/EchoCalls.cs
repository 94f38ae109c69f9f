using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Server.Tests.Security.Infrastructure;

public enum CallKind
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    Duplex,
}

/// <summary>Calls <see cref="EchoService"/> and builds client channels.</summary>
public static class EchoCalls
{
    public static readonly TimeSpan Timeout = TestServer.Timeout;

    /// <summary>One call of the given kind carrying <paramref name="text"/>; returns the reply or throws the call's <see cref="RpcException"/>.</summary>
    public static async Task<string> CallAsync(GrpcChannel channel, CallKind kind = CallKind.Unary, Metadata? headers = null, string text = "hello")
    {
        var invoker = channel.CreateCallInvoker();
        using var cts = new CancellationTokenSource(Timeout);
        var options = new CallOptions(headers, cancellationToken: cts.Token);
        var request = new StringValue { Value = text };
        switch (kind)
        {
            case CallKind.Unary:
            {
                using var call = invoker.AsyncUnaryCall(EchoService.Unary, null, options, request);
                return (await call.ResponseAsync.WaitAsync(Timeout)).Value;
            }

            case CallKind.ClientStreaming:
            {
                using var call = invoker.AsyncClientStreamingCall(EchoService.ClientStreaming, null, options);
                await WriteThenCompleteAsync(call.RequestStream, request);
                return (await call.ResponseAsync.WaitAsync(Timeout)).Value;
            }

            case CallKind.ServerStreaming:
            {
                using var call = invoker.AsyncServerStreamingCall(EchoService.ServerStreaming, null, options, request);
                return await ReadOneAsync(call.ResponseStream, cts.Token);
            }

            default:
            {
                using var call = invoker.AsyncDuplexStreamingCall(EchoService.Duplex, null, options);
                await WriteThenCompleteAsync(call.RequestStream, request);
                return await ReadOneAsync(call.ResponseStream, cts.Token);
            }
        }
    }

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>A TLS channel that trusts only <paramref name="authority"/> and presents <paramref name="clientCertificate"/> when given.</summary>
    public static GrpcChannel TlsChannel(Uri address, X509Certificate2 authority, X509Certificate2? clientCertificate = null) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        ConfigureSocketsHttpHandler = handler =>
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(authority);
            handler.SslOptions.CertificateChainPolicy = policy;
            if (clientCertificate is not null)
            {
                handler.SslOptions.ClientCertificates = [clientCertificate];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }
        },
    });

    private static async Task WriteThenCompleteAsync(IClientStreamWriter<StringValue> requests, StringValue request)
    {
        try
        {
            await requests.WriteAsync(request).WaitAsync(Timeout);
            await requests.CompleteAsync().WaitAsync(Timeout);
        }
        catch (RpcException)
        {
            // The server may end the call before reading; its status arrives with the response.
        }
    }

    // Reads to the end, so the call's status (sent after the server's interceptors finished) has arrived on return.
    private static async Task<string> ReadOneAsync(IAsyncStreamReader<StringValue> responses, CancellationToken cancellationToken)
    {
        Assert.True(await responses.MoveNext(cancellationToken).WaitAsync(Timeout), "The server sent no response message.");
        var reply = responses.Current.Value;
        Assert.False(await responses.MoveNext(cancellationToken).WaitAsync(Timeout), "The server sent more than one response message.");
        return reply;
    }
}
