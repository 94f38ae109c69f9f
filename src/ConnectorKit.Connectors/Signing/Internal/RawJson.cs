using System.Text.Json;

namespace ConnectorKit.Connectors.Signing.Internal;

/// <summary>Finds a top-level member's raw bytes in a JSON object without re-serialising anything.</summary>
internal static class RawJson
{
    public static bool TryReadEnvelope(
        ReadOnlySpan<byte> body, string contentProperty, string signProperty, out int start, out int length, out string? signature)
    {
        start = 0;
        length = 0;
        signature = null;
        var found = false;
        var signs = 0;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isContent = reader.ValueTextEquals(contentProperty);
                var isSign = reader.ValueTextEquals(signProperty);
                if (!reader.Read())
                {
                    return false;
                }

                if (isContent)
                {
                    // A second copy would let a proxy show one content to the verifier and another to the parser.
                    if (found || reader.TokenType != JsonTokenType.StartObject)
                    {
                        return false;
                    }

                    start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    length = (int)reader.BytesConsumed - start;
                    found = true;
                }
                else if (isSign)
                {
                    signs++;
                    signature = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (signs > 1)
        {
            signature = null;
        }

        return found;
    }
}
