using ConnectorKit.Grpc;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Security;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Security.Infrastructure;

/// <summary>
/// A protected test service, one method per call kind, written by hand so the tests need no proto. Each reply is
/// <c>platform|method|text</c> from the caller's <see cref="PlatformIdentity"/>. It logs the sensitive metadata it is sent,
/// masked, as a real handler should.
/// </summary>
[BindServiceMethod(typeof(EchoService), nameof(BindService))]
public class EchoService(ILogger<EchoService> logger)
{
    public const string ServiceName = "connectorkit.tests.Echo";

    /// <summary>A request text that makes every method fail with INVALID_ARGUMENT.</summary>
    public const string FailText = "please-fail";

    private static readonly Marshaller<StringValue> Marshaller = Marshallers.ForProtobuf(StringValue.Parser);

    public static readonly Method<StringValue, StringValue> Unary = new(MethodType.Unary, ServiceName, "Unary", Marshaller, Marshaller);

    public static readonly Method<StringValue, StringValue> ClientStreaming = new(MethodType.ClientStreaming, ServiceName, "ClientStreaming", Marshaller, Marshaller);

    public static readonly Method<StringValue, StringValue> ServerStreaming = new(MethodType.ServerStreaming, ServiceName, "ServerStreaming", Marshaller, Marshaller);

    public static readonly Method<StringValue, StringValue> Duplex = new(MethodType.DuplexStreaming, ServiceName, "Duplex", Marshaller, Marshaller);

    public static void BindService<TService>(ServiceBinder<TService> binder)
        where TService : EchoService
    {
        binder.AddUnaryMethod(Unary, static (service, request, context) => service.UnaryAsync(request, context));
        binder.AddClientStreamingMethod(ClientStreaming, static (service, requests, context) => service.ClientStreamingAsync(requests, context));
        binder.AddServerStreamingMethod(ServerStreaming, static (service, request, responses, context) => service.ServerStreamingAsync(request, responses, context));
        binder.AddDuplexStreamingMethod(Duplex, static (service, requests, responses, context) => service.DuplexAsync(requests, responses, context));
    }

    public Task<StringValue> UnaryAsync(StringValue request, ServerCallContext context) => Task.FromResult(Reply(context, request.Value));

    public async Task<StringValue> ClientStreamingAsync(IAsyncStreamReader<StringValue> requests, ServerCallContext context)
    {
        var texts = new List<string>();
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            texts.Add(request.Value);
        }

        return Reply(context, string.Join(",", texts));
    }

    public Task ServerStreamingAsync(StringValue request, IServerStreamWriter<StringValue> responses, ServerCallContext context)
        => responses.WriteAsync(Reply(context, request.Value));

    public async Task DuplexAsync(IAsyncStreamReader<StringValue> requests, IServerStreamWriter<StringValue> responses, ServerCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            await responses.WriteAsync(Reply(context, request.Value));
        }
    }

    private StringValue Reply(ServerCallContext context, string text)
    {
        var identity = context.GetPlatformIdentity();
        logger.LogInformation(
            "Echo for platform {PlatformId}: enterprise {CreditCode}, contact {Phone}, account {Account}.",
            identity.PlatformId,
            Mask.CreditCode(context.RequestHeaders.GetValue("x-credit-code")),
            Mask.Phone(context.RequestHeaders.GetValue("x-phone")),
            Mask.AccountNumber(context.RequestHeaders.GetValue("x-account")));
        if (text == FailText)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The test asked for a failure."));
        }

        return new StringValue { Value = $"{identity.PlatformId}|{identity.Method}|{text}" };
    }
}
