using ConnectorKit.Connectors;

namespace ConnectorKit.Conformance;

/// <summary>
/// Marks a method of a <see cref="ConformanceSuite"/> as a case. The id is stable across versions: a case that
/// changes meaning gets a new id, so expectations files and reports stay comparable.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class ConformanceCaseAttribute(string id, string title) : Attribute
{
    /// <summary>Stable id, e.g. <c>CK-IDEM-001</c>.</summary>
    public string Id { get; } = id;

    /// <summary>One line saying what must hold.</summary>
    public string Title { get; } = title;

    /// <summary>Where the rule is written: a proto element or a design-card section, e.g. <c>connectorkit.v1.SubmitApplicationRequest.request_id</c>.</summary>
    public string Rule { get; init; } = string.Empty;

    /// <summary>Capabilities the target must declare for the case to run; otherwise it is skipped, with that reason.</summary>
    public ConnectorCapabilities Requires { get; init; } = ConnectorCapabilities.None;

    /// <summary>Runs only where the bank-side journal is visible (connector mode against WireMock).</summary>
    public bool NeedsBankJournal { get; init; }

    /// <summary>Runs alone, after the parallel cases: it injects faults or changes something all cases share.</summary>
    public bool Exclusive { get; init; }
}
