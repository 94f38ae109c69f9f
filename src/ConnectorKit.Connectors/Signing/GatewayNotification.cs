using System.Globalization;

namespace ConnectorKit.Connectors.Signing;

/// <summary>Why an asynchronous notification was accepted or refused.</summary>
public enum GatewayNotificationStatus
{
    /// <summary>Signed by a current bank key, for our app, within the time tolerance.</summary>
    Valid,

    /// <summary>A required parameter is missing or repeated, or the timestamp is unreadable.</summary>
    Malformed,

    /// <summary>The signature is missing or no current bank key verifies it.</summary>
    BadSignature,

    /// <summary>Signed correctly, but addressed to another app_id.</summary>
    WrongApp,

    /// <summary>The timestamp lies outside the tolerance: a replay, or a clock far off.</summary>
    OutsideTolerance,
}

/// <summary>The result of <see cref="GatewayNotification.Verify"/>.</summary>
/// <param name="KeyId">The bank key that verified the signature, when one did.</param>
public sealed record GatewayNotificationCheck(GatewayNotificationStatus Status, string? KeyId, string Reason)
{
    public bool IsValid => Status == GatewayNotificationStatus.Valid;
}

/// <summary>
/// Verifies the bank's signed form POSTs (asynchronous notifications): the signature over the path the bank posted
/// to and the form parameters, the <c>app_id</c>, and the <c>timestamp</c> (<c>yyyy-MM-dd HH:mm:ss</c> at a fixed
/// offset) against a tolerance either way.
/// </summary>
public static class GatewayNotification
{
    /// <summary>The gateway's timestamp layout.</summary>
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>China Standard Time, the offset gateway timestamps are written in unless configured otherwise.</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>Checks a notification; the signature is checked first, so a forged one is never told apart by its other faults.</summary>
    /// <param name="utcOffset">The offset of the timestamp; <see cref="ChinaStandardTime"/> when null.</param>
    public static GatewayNotificationCheck Verify(
        GatewayKeyRing keyRing,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> form,
        string expectedAppId,
        TimeSpan tolerance,
        TimeProvider timeProvider,
        TimeSpan? utcOffset = null)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(timeProvider);

        if (!GatewaySignature.TryVerify(keyRing, path, form, out var keyId))
        {
            return new(GatewayNotificationStatus.BadSignature, null, "the signature is missing or does not verify with any current bank key");
        }

        if (Single(form, "app_id") is not { } appId || Single(form, "timestamp") is not { } timestamp)
        {
            return new(GatewayNotificationStatus.Malformed, keyId, "app_id and timestamp must each appear once");
        }

        if (!string.Equals(appId, expectedAppId, StringComparison.Ordinal))
        {
            return new(GatewayNotificationStatus.WrongApp, keyId, $"addressed to app_id '{appId}'");
        }

        if (!TryParseTimestamp(timestamp, utcOffset ?? ChinaStandardTime, out var sentAt))
        {
            return new(GatewayNotificationStatus.Malformed, keyId, $"timestamp '{timestamp}' is not {TimestampFormat}");
        }

        var skew = timeProvider.GetUtcNow() - sentAt;
        if (skew.Duration() > tolerance)
        {
            return new(GatewayNotificationStatus.OutsideTolerance, keyId, $"timestamp is {skew.TotalSeconds:0} s from now; at most {tolerance.TotalSeconds:0} s allowed");
        }

        return new(GatewayNotificationStatus.Valid, keyId, "valid");
    }

    /// <summary>Writes <paramref name="at"/> as a gateway timestamp at <paramref name="utcOffset"/> (China time when null).</summary>
    public static string FormatTimestamp(DateTimeOffset at, TimeSpan? utcOffset = null)
        => at.ToOffset(utcOffset ?? ChinaStandardTime).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads a gateway timestamp written at <paramref name="utcOffset"/>.</summary>
    public static bool TryParseTimestamp(string text, TimeSpan utcOffset, out DateTimeOffset at)
    {
        if (DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            at = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), utcOffset);
            return true;
        }

        at = default;
        return false;
    }

    private static string? Single(IReadOnlyList<KeyValuePair<string, string>> form, string key)
    {
        string? value = null;
        foreach (var pair in form)
        {
            if (pair.Key != key)
            {
                continue;
            }

            if (value is not null)
            {
                return null;
            }

            value = pair.Value;
        }

        return value;
    }
}
