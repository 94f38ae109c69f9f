using System.Text;

namespace ConnectorKit.Server.Services;

/// <summary>The receiving account as callbacks carry it: first 4 and last 4 digits, the rest '*', in groups of four.</summary>
internal static class AccountMasking
{
    public static string ForCallback(string accountNumber)
    {
        var digits = new string([.. accountNumber.Where(char.IsAsciiDigit)]);
        if (digits.Length < 8)
        {
            throw new ArgumentException("An account number has at least 8 digits.", nameof(accountNumber));
        }

        var masked = new StringBuilder(digits.Length + (digits.Length / 4));
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                masked.Append(' ');
            }

            masked.Append(i < 4 || i >= digits.Length - 4 ? digits[i] : '*');
        }

        return masked.ToString();
    }
}
