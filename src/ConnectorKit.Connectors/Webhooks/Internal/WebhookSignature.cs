using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ConnectorKit.Connectors.Webhooks.Internal;

/// <summary>The HMAC-SHA256 over <c>id.timestamp.body</c> that Standard Webhooks 1.0 calls a <c>v1</c> signature.</summary>
internal static class WebhookSignature
{
    internal const string Version = "v1";

    public static byte[] Compute(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(messageId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var content = ArrayPool<byte>.Shared.Rent(prefix.Length + body.Length);
        try
        {
            prefix.CopyTo(content, 0);
            body.CopyTo(content.AsSpan(prefix.Length));
            return HMACSHA256.HashData(key, content.AsSpan(0, prefix.Length + body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }

    /// <summary>The decoded <c>v1</c> signatures of a header; entries of other versions or not base64 are skipped.</summary>
    public static IEnumerable<byte[]> ParseV1(string header)
    {
        foreach (var entry in header.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var comma = entry.IndexOf(',');
            if (comma <= 0 || !entry.AsSpan(0, comma).SequenceEqual(Version))
            {
                continue;
            }

            var decoded = new byte[SHA256.HashSizeInBytes];
            if (Convert.TryFromBase64String(entry[(comma + 1)..], decoded, out var written) && written == decoded.Length)
            {
                yield return decoded;
            }
        }
    }
}
