namespace ConnectorKit.Server.Validation.Internal;

/// <summary>Field paths as the contract writes them: proto names, dots between levels, zero-based indexes.</summary>
internal static class Paths
{
    public static string Field(string prefix, string name) => prefix.Length == 0 ? name : string.Concat(prefix, ".", name);

    public static string Item(string prefix, string name, int index) => $"{Field(prefix, name)}[{index}]";
}
