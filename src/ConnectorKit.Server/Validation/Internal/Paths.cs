using System.Globalization;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>Field paths as the contract writes them: proto names, dots between levels, zero-based indexes.</summary>
internal static class Paths
{
    public static string Field(string prefix, string name) => prefix.Length == 0 ? name : string.Concat(prefix, ".", name);

    public static string Item(string prefix, string name, int index) => $"{Field(prefix, name)}[{index}]";
}

/// <summary>
/// A field path kept in parts and joined only when a fault names it: a valid profile has some thirty checked fields, and
/// joining each path up front was a quarter of the bank's CPU in a bulk push.
/// </summary>
/// <remarks>Holds prefix[.name][[index]][.child]; a longer path joins the parts it has into a new prefix.</remarks>
internal readonly struct FieldPath
{
    private readonly string _prefix;
    private readonly string? _name;
    private readonly int _index;
    private readonly string? _child;

    private FieldPath(string prefix, string? name, int index, string? child)
    {
        _prefix = prefix;
        _name = name;
        _index = index;
        _child = child;
    }

    public static implicit operator FieldPath(string path) => new(path, null, -1, null);

    public FieldPath Field(string name)
        => _name is null ? new(_prefix, name, -1, null)
            : _child is null ? new(_prefix, _name, _index, name)
            : new(ToString(), name, -1, null);

    public FieldPath Item(string name, int index)
        => _name is null ? new(_prefix, name, index, null) : new(ToString(), name, index, null);

    public override string ToString()
    {
        if (_name is null)
        {
            return _prefix;
        }

        var path = Paths.Field(_prefix, _name);
        if (_index >= 0)
        {
            path = string.Concat(path, "[", _index.ToString(CultureInfo.InvariantCulture), "]");
        }

        return _child is null ? path : string.Concat(path, ".", _child);
    }
}
