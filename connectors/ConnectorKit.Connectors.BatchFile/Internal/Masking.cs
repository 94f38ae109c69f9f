namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>Account numbers and credit codes as logs may show them: the first and last four characters.</summary>
internal static class Masking
{
    public static string Mask(string? value)
        => value is null ? string.Empty
            : value.Length <= 8 ? new string('*', value.Length)
            : string.Concat(value.AsSpan(0, 4), new string('*', value.Length - 8), value.AsSpan(value.Length - 4));
}
