namespace ConnectorKit.Conformance;

/// <summary>Names a suite's category; every case of the suite belongs to it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class SuiteCategoryAttribute(ConformanceCategory category) : Attribute
{
    public ConformanceCategory Category { get; } = category;
}
