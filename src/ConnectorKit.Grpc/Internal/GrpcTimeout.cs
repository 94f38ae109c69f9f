using System.Globalization;

namespace ConnectorKit.Grpc.Internal;

/// <summary>The <c>grpc-timeout</c> header: at most 8 digits and a unit (H, M, S, m, u, n).</summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => null,
        };

        if (ticks is null)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks(ticks.Value);
        return true;
    }

    /// <summary>Renders a timeout in the finest unit that fits eight digits; never below one nanosecond-unit of zero.</summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }

        var ticks = timeout.Ticks;
        if (ticks / 10 <= MaxValue)
        {
            return ticks * 100 <= MaxValue ? (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n" : Ceiling(ticks, 10) + "u";
        }

        if (ticks / TimeSpan.TicksPerMillisecond <= MaxValue)
        {
            return Ceiling(ticks, TimeSpan.TicksPerMillisecond) + "m";
        }

        if (ticks / TimeSpan.TicksPerSecond <= MaxValue)
        {
            return Ceiling(ticks, TimeSpan.TicksPerSecond) + "S";
        }

        if (ticks / TimeSpan.TicksPerMinute <= MaxValue)
        {
            return Ceiling(ticks, TimeSpan.TicksPerMinute) + "M";
        }

        return Math.Min(Ceiling(ticks, TimeSpan.TicksPerHour), MaxValue).ToString(CultureInfo.InvariantCulture) + "H";
    }

    private static long Ceiling(long ticks, long unit) => (ticks + unit - 1) / unit;
}
