namespace ConnectorKit.Conformance;

/// <summary>What part of the contract a case checks; the id prefix follows it (CK-SHAPE, CK-VAL, CK-IDEM …).</summary>
public enum ConformanceCategory
{
    ContractShape,
    Validation,
    Idempotency,
    Consent,
    StateMachine,
    Callbacks,
    ErrorsAndFaults,
    Security,
    Performance,
}
