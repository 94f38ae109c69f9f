using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;

namespace ConnectorKit.Conformance;

/// <summary>
/// The system under test, started once per run and shared by the cases: a connector in-process against WireMock
/// (connector mode) or a bank's live endpoint (server mode). Cases run in parallel against it, so each uses its own
/// enterprises and request ids.
/// </summary>
public interface IConformanceTarget : IAsyncDisposable
{
    /// <summary>Shown in reports, e.g. <c>connector rest-json</c> or <c>server https://bank.example:443</c>.</summary>
    string Name { get; }

    /// <summary>The bank id consents must name and callbacks carry.</summary>
    string BankId { get; }

    /// <summary>What the target declares it supports; cases needing more are skipped with the reason.</summary>
    ConnectorCapabilities Capabilities { get; }

    /// <summary>Calls the target's contract; the suite wraps it to record evidence.</summary>
    CallInvoker CallInvoker { get; }

    /// <summary>The platform's LoanEvents endpoint the target delivers callbacks to.</summary>
    CallbackRecorder Callbacks { get; }

    /// <summary>Makes the bank decide and pay out, as its own systems would.</summary>
    IBankDriver Driver { get; }

    /// <summary>What reached the bank's API; null where it cannot be seen (server mode).</summary>
    IBankJournal? Journal { get; }

    /// <summary>Faults between the connector and its bank; null where they cannot be injected (server mode).</summary>
    IBankFaults? Faults { get; }

    /// <summary>Calls as a second platform, to check tenancy; null when the target knows only one.</summary>
    CallInvoker? OtherPlatform { get; }

    /// <summary>Calls without credentials, to check they are refused; null when the target does not require any.</summary>
    CallInvoker? Anonymous { get; }
}
