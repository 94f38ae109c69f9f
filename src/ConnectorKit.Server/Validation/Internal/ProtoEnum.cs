using System.Reflection;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>The proto names of an enum's values, for descriptions (ENTERPRISE_SIZE_LARGE rather than Large).</summary>
internal static class ProtoEnum<T>
    where T : struct, System.Enum
{
    public static readonly string NonZeroNames = string.Join(
        ", ",
        typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => Convert.ToInt32(f.GetValue(null), System.Globalization.CultureInfo.InvariantCulture) != 0)
            .Select(f => f.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? f.Name));

    // Looked up once per value: reflecting on every call cost a GetField and an attribute read per validated consent.
    private static readonly Dictionary<T, string> Names = BuildNames();

    public static string Name(T value) => Names.TryGetValue(value, out var name) ? name : value.ToString();

    private static Dictionary<T, string> BuildNames()
    {
        var names = new Dictionary<T, string>();
        foreach (var value in System.Enum.GetValues<T>())
        {
            var field = typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static);
            names.TryAdd(value, field?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString());
        }

        return names;
    }
}
