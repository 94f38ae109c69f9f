using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance.Running;

/// <summary>What one running case sees: the target, its own evidence and warnings, its cancellation.</summary>
internal sealed class CaseContext(IConformanceTarget target, CallInvoker calls, EvidenceLog evidence, CancellationToken cancellationToken)
{
    public IConformanceTarget Target { get; } = target;

    public CallInvoker Calls { get; } = calls;

    public EvidenceLog Evidence { get; } = evidence;

    public List<string> Warnings { get; } = [];

    public CancellationToken CancellationToken { get; } = cancellationToken;
}
