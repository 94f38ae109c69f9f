using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Tests.Running;

/// <summary>A target for runner tests: scripted cases never call it, so its channel points nowhere.</summary>
internal sealed class FakeTarget(ConnectorCapabilities capabilities = ConnectorCapabilities.All) : IConformanceTarget
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress("http://127.0.0.1:9");

    public string Name => "fake";

    public string BankId => "bank-test";

    public ConnectorCapabilities Capabilities => capabilities;

    public CallInvoker CallInvoker => _channel.CreateCallInvoker();

    public CallbackRecorder Callbacks => throw new NotSupportedException();

    public IBankDriver Driver => throw new NotSupportedException();

    public IBankJournal? Journal => null;

    public IBankFaults? Faults => null;

    public CallInvoker? OtherPlatform => null;

    public CallInvoker? Anonymous => null;

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
