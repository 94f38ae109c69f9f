namespace ConnectorKit.Grpc;

// The HTTP/2 transport of the channel is implemented in Client/Internal.
public sealed partial class GrpcChannel
{
    private partial void Initialize()
    {
    }

    private partial CallInvoker CreateHttpCallInvoker() => throw new NotImplementedException("The HTTP/2 call invoker is being built in Client/Internal.");

    public partial void Dispose()
    {
    }
}
