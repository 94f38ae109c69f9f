using System.Text;
using System.Text.Json;
using ConnectorKit.Connectors.Signing.Internal;

namespace ConnectorKit.Connectors.Signing;

/// <summary>
/// A gateway answer <c>{"response_biz_content":{…},"sign":"…"}</c> whose signature verified over the business
/// content exactly as its bytes stood in the body; the content is never re-serialised before checking.
/// </summary>
public sealed class GatewayResponse
{
    /// <summary>The envelope member holding the business content.</summary>
    public const string DefaultContentProperty = "response_biz_content";

    private GatewayResponse(ReadOnlyMemory<byte> content, string keyId)
    {
        Content = content;
        KeyId = keyId;
    }

    /// <summary>The raw UTF-8 JSON of the business content, as signed.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The bank key that verified it.</summary>
    public string KeyId { get; }

    /// <summary>The business content parsed; dispose the document.</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Content);

    /// <summary>Reads and verifies an answer.</summary>
    /// <exception cref="GatewaySignatureException">The body is not such an envelope, the signature is missing, or no current bank key verifies it.</exception>
    public static GatewayResponse Verify(GatewayKeyRing keyRing, ReadOnlyMemory<byte> body, string contentProperty = DefaultContentProperty)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        if (!RawJson.TryReadEnvelope(body.Span, contentProperty, GatewaySignature.SignParameter, out var start, out var length, out var signature))
        {
            throw new GatewaySignatureException($"The answer is not a signed envelope with '{contentProperty}' and '{GatewaySignature.SignParameter}'.");
        }

        var content = body.Slice(start, length);
        if (signature is null)
        {
            throw new GatewaySignatureException("The answer carries no signature.");
        }

        if (!keyRing.TryVerify(content.Span, signature, out var keyId))
        {
            throw new GatewaySignatureException("The answer's signature does not verify with any current bank key.");
        }

        return new GatewayResponse(content, keyId);
    }

    /// <summary>
    /// Builds a signed envelope around <paramref name="contentJson"/> (kept byte for byte), e.g. the acknowledgement
    /// a notification receiver answers with.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="contentJson"/> is not one JSON object.</exception>
    public static string CreateSigned(GatewayKeyRing keyRing, string contentJson, string contentProperty = DefaultContentProperty)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(contentJson);
        try
        {
            using var document = JsonDocument.Parse(contentJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The content must be a JSON object.", nameof(contentJson));
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException("The content is not JSON: " + e.Message, nameof(contentJson), e);
        }

        var sign = keyRing.Sign(Encoding.UTF8.GetBytes(contentJson));
        return "{" + JsonSerializer.Serialize(contentProperty) + ":" + contentJson + ",\"" + GatewaySignature.SignParameter + "\":" + JsonSerializer.Serialize(sign) + "}";
    }
}

/// <summary>A gateway message whose signature is missing or wrong, or that is not a signed envelope at all.</summary>
public sealed class GatewaySignatureException(string message) : Exception(message);
