namespace ConnectorKit.Conformance;

/// <summary>How a case ended. Only <see cref="Failed"/> makes a run fail, unless the expectations file expects it.</summary>
public enum ConformanceOutcome
{
    Passed,

    /// <summary>The rule holds, but something a bank should look at was seen (e.g. slower than the smoke threshold).</summary>
    Warning,

    /// <summary>Not run: the target declared the capability unsupported, or the expectations file skips it.</summary>
    Skipped,

    Failed,
}
