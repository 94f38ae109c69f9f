using ConnectorKit.Grpc;

namespace ConnectorKit.Server.Outbox;

/// <summary>
/// Gives the <see cref="OutboxDispatcher"/> the invoker it calls the platform's LoanEvents service through. The default
/// builds one h2c/TLS channel from <see cref="PlatformCallbackOptions.Address"/>; replace it to add client certificates,
/// tokens or interceptors. Called once per delivery, so an implementation may rotate credentials.
/// </summary>
public interface IPlatformChannelProvider
{
    CallInvoker GetCallInvoker();
}
