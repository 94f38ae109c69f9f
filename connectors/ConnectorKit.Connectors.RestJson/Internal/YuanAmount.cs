using System.Globalization;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>The bank's amounts: yuan as a decimal string with exactly two decimals ("5000000.00") and a currency, converted to fen by text, never through floating point.</summary>
internal static class YuanAmount
{
    public static BankMoney ToBank(Money money)
    {
        var fen = money.UnitsMinor;
        var sign = fen < 0 ? "-" : string.Empty;
        var abs = fen < 0 ? -(decimal)fen : fen;
        var yuan = decimal.Truncate(abs / 100);
        var cents = abs - (yuan * 100);
        return new BankMoney(
            sign + yuan.ToString("0", CultureInfo.InvariantCulture) + "." + cents.ToString("00", CultureInfo.InvariantCulture),
            money.CurrencyCode);
    }

    /// <exception cref="FormatException">Not digits with at most two decimals, or an empty currency.</exception>
    public static Money FromBank(BankMoney? money)
    {
        if (money is null || string.IsNullOrWhiteSpace(money.Value) || string.IsNullOrWhiteSpace(money.Currency))
        {
            throw new FormatException("An amount needs a value and a currency.");
        }

        var text = money.Value;
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        var dot = digits.IndexOf('.');
        var whole = dot < 0 ? digits : digits[..dot];
        var fraction = dot < 0 ? string.Empty : digits[(dot + 1)..];
        if (whole.Length is 0 or > 16 || fraction.Length > 2 || (dot >= 0 && fraction.Length == 0)
            || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{text}' is not an amount in yuan with at most two decimals.");
        }

        var fen = (long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture) * 100)
                  + (fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(2, '0'), NumberStyles.None, CultureInfo.InvariantCulture));
        return new Money { UnitsMinor = negative ? -fen : fen, CurrencyCode = money.Currency };
    }
}
