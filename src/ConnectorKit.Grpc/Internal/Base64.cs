namespace ConnectorKit.Grpc.Internal;

/// <summary>Base64 for <c>-bin</c> metadata: decodes padded and unpadded values alike.</summary>
internal static class Base64
{
    public static byte[] DecodeLenient(string value)
    {
        var remainder = value.Length % 4;
        if (remainder != 0)
        {
            value += new string('=', 4 - remainder);
        }

        return Convert.FromBase64String(value);
    }
}
