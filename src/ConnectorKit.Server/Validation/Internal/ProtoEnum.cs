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

    public static string Name(T value)
    {
        var field = typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static);
        return field?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();
    }
}
