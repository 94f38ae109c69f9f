using System.ComponentModel.DataAnnotations;

namespace ConnectorKit.Server;

/// <summary>
/// How many calls each platform may make. Every platform has its own token bucket: it holds up to <see cref="Burst"/> calls
/// and refills at <see cref="CallsPerSecond"/>. A call that finds it empty is RESOURCE_EXHAUSTED with a RetryInfo saying when
/// the next call fits. A streaming call counts once, however many messages it carries.
/// </summary>
public sealed class PlatformRateLimitOptions
{
    /// <summary>Steady calls per second per platform; 0 turns the limit off. <value>Default 0 (off).</value></summary>
    [Range(0, 1_000_000)]
    public double CallsPerSecond { get; set; }

    /// <summary>Calls a platform may make at once after being idle. <value>Default 0, meaning one second's worth of <see cref="CallsPerSecond"/> (at least 1).</value></summary>
    [Range(0, 10_000_000)]
    public int Burst { get; set; }

    internal bool Enabled => CallsPerSecond > 0;

    internal double Capacity => Burst > 0 ? Burst : Math.Max(1, Math.Floor(CallsPerSecond));
}
