using System.Globalization;
using System.Text;
using ConnectorKit.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Validation.Internal;

/// <summary>Collects the faults of one request and holds the checks every message shares.</summary>
internal sealed class ValidationScope(ConnectorKitServerOptions options, DateTimeOffset now, ILogger logger)
{
    // Timestamp's documented range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    private readonly List<(string Field, string Description)> _violations = [];
    private readonly List<(string Type, string Subject, string Description)> _preconditionFailures = [];

    public DateTimeOffset Now { get; } = now;

    public TimeSpan ClockSkew => options.ConsentClockSkew;

    public string BankId => options.BankId;

    public int ViolationCount => _violations.Count;

    public void AddViolation(FieldPath field, string description) => _violations.Add((field.ToString(), description));

    public void AddPreconditionFailure(string type, string subject, string description)
        => _preconditionFailures.Add((type, subject, description));

    public ValidationResult ToResult()
        => _violations.Count == 0 && _preconditionFailures.Count == 0
            ? ValidationResult.Valid
            : new ValidationResult(_violations, _preconditionFailures);

    /// <summary>Required credit code under the bank's policy; true when usable (well-formed, and checked or accepted with a warning).</summary>
    public bool CheckCreditCode(FieldPath field, string value)
    {
        if (value.Length == 0)
        {
            AddViolation(field, "is required: an 18-character Unified Social Credit Code");
            return false;
        }

        if (value.Length != UnifiedSocialCreditCode.Length)
        {
            AddViolation(field, $"{CreditCodeFormat}; got {value.Length}");
            return false;
        }

        var bad = UnifiedSocialCreditCode.IndexOfInvalidCharacter(value);
        if (bad >= 0)
        {
            var which = char.IsAsciiLetterLower(value[bad])
                ? $"position {bad + 1} is a lower-case letter"
                : $"position {bad + 1} holds {Describe(value[bad])}, which is not in the set";
            AddViolation(field, $"{CreditCodeFormat}; {which}");
            return false;
        }

        if (UnifiedSocialCreditCode.HasValidCheckCharacter(value))
        {
            return true;
        }

        if (options.CreditCodePolicy == CreditCodePolicy.AcceptWithWarning)
        {
            Log.AcceptedCreditCodeWithWrongCheckCharacter(logger, UnifiedSocialCreditCode.Mask(value), field.ToString());
            return true;
        }

        // The expected character is not named: codes that fail are usually genuine pilot-region codes, not typos to "fix".
        AddViolation(
            field,
            "fails the GB 32100-2015 check: the 18th character does not match the first 17; this bank rejects such codes "
            + "(some early pilot-region codes fail the check and are accepted only where the bank allows it)");
        return false;
    }

    /// <summary>Required identifier of 1 to <paramref name="maxLength"/> ASCII characters from letters, digits and <paramref name="punctuation"/>.</summary>
    public bool CheckIdentifier(FieldPath field, string value, string punctuation, int maxLength = 64)
    {
        if (value.Length == 0)
        {
            AddViolation(field, $"is required; {IdentifierRule(punctuation, maxLength)}");
            return false;
        }

        if (value.Length > maxLength)
        {
            AddViolation(field, $"{IdentifierRule(punctuation, maxLength)}; got {value.Length} characters");
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsAsciiLetterOrDigit(c) && !punctuation.Contains(c, StringComparison.Ordinal))
            {
                AddViolation(field, $"{IdentifierRule(punctuation, maxLength)}; character {i + 1} is {Describe(c)}");
                return false;
            }
        }

        return true;
    }

    // Built only for a violation: the bulk sync checks three identifiers per profile, and building the rule for every
    // valid one cost several allocations each.
    private static string IdentifierRule(string punctuation, int maxLength)
        => $"must be 1 to {maxLength} characters from A-Z, a-z, 0-9, {DescribeSet(punctuation)}";

    /// <summary>Text of <paramref name="min"/> to <paramref name="max"/> Unicode characters (code points); with min 1 it is required.</summary>
    public bool CheckText(FieldPath field, string value, int min, int max)
    {
        // UTF-16 length bounds the code point count from above, so counting is needed only for long strings.
        var length = value.Length > max ? CountCodePoints(value) : value.Length;
        if (length >= min && length <= max)
        {
            return true;
        }

        var rule = $"must be {min} to {max} Unicode characters";
        AddViolation(field, length == 0 ? $"is required; {rule}" : $"{rule}; got {length}");
        return false;
    }

    /// <summary>A required enum: a value v1 defines, other than the UNSPECIFIED zero.</summary>
    public bool CheckRequiredEnum<T>(FieldPath field, T value)
        where T : struct, System.Enum
    {
        // Compared without Convert.ToInt32, which boxes the value.
        if (EqualityComparer<T>.Default.Equals(value, default))
        {
            AddViolation(field, $"is required; set one of {ProtoEnum<T>.NonZeroNames}");
            return false;
        }

        return CheckDefinedEnum(field, value);
    }

    /// <summary>An optional enum: unset (zero) or a value v1 defines.</summary>
    public bool CheckDefinedEnum<T>(FieldPath field, T value)
        where T : struct, System.Enum
    {
        if (System.Enum.IsDefined(value))
        {
            return true;
        }

        AddViolation(field, $"has the value {Convert.ToInt32(value, CultureInfo.InvariantCulture)}, which v1 does not define; use one of {ProtoEnum<T>.NonZeroNames}");
        return false;
    }

    public bool CheckRange(FieldPath field, long value, long min, long max, string unit = "")
    {
        if (value >= min && value <= max)
        {
            return true;
        }

        AddViolation(field, $"must be {min} to {max}{unit}; got {value}");
        return false;
    }

    public bool CheckAtLeast(FieldPath field, long value, long min, string unit = "")
    {
        if (value >= min)
        {
            return true;
        }

        AddViolation(field, $"must be {min} or more{unit}; got {value}");
        return false;
    }

    /// <summary>A required, valid timestamp; <paramref name="instant"/> is its value when true.</summary>
    public bool CheckTimestamp(FieldPath field, Timestamp? value, out DateTimeOffset instant)
    {
        instant = default;
        if (value is null)
        {
            AddViolation(field, "is required (a UTC timestamp)");
            return false;
        }

        if (!TryGetInstant(value, out instant))
        {
            AddViolation(field, $"must be a valid timestamp: seconds within the years 0001 to 9999 and nanos 0 to 999999999; got seconds {value.Seconds}, nanos {value.Nanos}");
            return false;
        }

        return true;
    }

    /// <summary>The instant of a set, valid timestamp, without recording anything.</summary>
    public static bool TryGetInstant(Timestamp? value, out DateTimeOffset instant)
    {
        if (value is null || value.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            instant = default;
            return false;
        }

        instant = value.ToDateTimeOffset();
        return true;
    }

    /// <summary>A required timestamp not later than this server's clock plus the allowed skew.</summary>
    public bool CheckTimestampNotInFuture(FieldPath field, Timestamp? value, out DateTimeOffset instant)
    {
        if (!CheckTimestamp(field, value, out instant))
        {
            return false;
        }

        var latest = Now + ClockSkew;
        if (instant <= latest)
        {
            return true;
        }

        AddViolation(field, $"must not be later than this server's clock plus {FormatDuration(ClockSkew)} ({FormatInstant(latest)}); got {FormatInstant(instant)}");
        return false;
    }

    /// <summary>Required CNY money; more than 0 unless <paramref name="allowZero"/>. True when usable.</summary>
    public bool CheckMoney(FieldPath field, Money? money, bool allowZero)
    {
        if (money is null)
        {
            AddViolation(field, $"is required: an amount in fen with currency_code \"{CnyMoney.CurrencyCode}\"");
            return false;
        }

        var ok = true;
        if (money.CurrencyCode.Length == 0)
        {
            AddViolation(field.Field("currency_code"), $"is required; v1 accepts only \"{CnyMoney.CurrencyCode}\"");
            ok = false;
        }
        else if (!CnyMoney.IsAcceptedCurrency(money.CurrencyCode))
        {
            var got = money.CurrencyCode.Length <= 8 && money.CurrencyCode.All(char.IsAsciiLetter)
                ? $"\"{money.CurrencyCode}\""
                : $"{money.CurrencyCode.Length} characters";
            AddViolation(field.Field("currency_code"), $"must be \"{CnyMoney.CurrencyCode}\", the only currency v1 accepts; got {got}");
            ok = false;
        }

        if (allowZero)
        {
            if (money.UnitsMinor < 0)
            {
                ok &= CheckAtLeast(field.Field("units_minor"), money.UnitsMinor, 0, " fen");
            }
        }
        else if (money.UnitsMinor <= 0)
        {
            AddViolation(field.Field("units_minor"), $"must be more than 0 fen; got {money.UnitsMinor}");
            ok = false;
        }

        return ok;
    }

    public static string FormatInstant(DateTimeOffset instant)
        => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string FormatDuration(TimeSpan span)
    {
        if (span.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            var minutes = (long)span.TotalMinutes;
            return minutes == 1 ? "1 minute" : $"{minutes} minutes";
        }

        return $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds";
    }

    private const string CreditCodeFormat = "must be 18 characters from 0-9 and A-Z without I, O, S, V, Z";

    private static int CountCodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Describe(char c)
        => char.IsAsciiLetterOrDigit(c) || (char.IsAscii(c) && char.IsPunctuation(c)) || (char.IsAscii(c) && char.IsSymbol(c))
            ? $"'{c}'"
            : $"U+{(int)c:X4}";

    private static string DescribeSet(string punctuation)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < punctuation.Length; i++)
        {
            builder.Append(i == 0 ? string.Empty : i == punctuation.Length - 1 ? " and " : ", ").Append('\'').Append(punctuation[i]).Append('\'');
        }

        return builder.ToString();
    }
}
