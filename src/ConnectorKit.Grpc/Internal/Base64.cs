namespace ConnectorKit.Grpc.Internal;

/// <summary>Base64 for <c>-bin</c> metadata: decodes padded and unpadded values alike.</summary>
internal static class Base64
{
    /// <summary>The decoded bytes, or null when the value is not base64.</summary>
    public static byte[]? DecodeLenient(string value)
    {
        value = value.Trim();
        var padding = (4 - (value.Length % 4)) % 4;
        if (padding == 3)
        {
            return null;
        }

        if (padding > 0)
        {
            value += new string('=', padding);
        }

        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
