using System.Globalization;
using System.Net.Http.Headers;

namespace ConnectorKit.Grpc.Internal;

/// <summary>Moves custom metadata between <see cref="Metadata"/> and HTTP headers, on the client.</summary>
internal static class HeaderMetadata
{
    /// <summary>Adds custom request metadata; binary values go out as base64 without padding, as the spec asks.</summary>
    public static void AddRequestHeaders(HttpRequestHeaders headers, Metadata metadata)
    {
        for (var i = 0; i < metadata.Count; i++)
        {
            var entry = metadata[i];
            if (GrpcProtocol.IsReservedHeader(entry.Key) || entry.Key.Equals("user-agent", StringComparison.Ordinal))
            {
                continue;
            }

            headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? ToUnpaddedBase64(entry.ValueBytes) : entry.Value);
        }
    }

    /// <summary>
    /// The custom metadata among response headers or trailers: reserved headers dropped, <c>-bin</c> values
    /// decoded whether or not they are padded. Entries that cannot be metadata (bad base64, non-ASCII text) are skipped.
    /// </summary>
    public static Metadata Read(HttpHeaders headers, HttpHeaders? more = null)
    {
        Metadata? metadata = null;
        AddFrom(headers, ref metadata);
        if (more is not null)
        {
            AddFrom(more, ref metadata);
        }

        return metadata?.Freeze() ?? Metadata.Empty;
    }

    /// <summary>The single value of a header, or null when it is absent.</summary>
    public static string? GetValue(HttpHeaders headers, string name)
    {
        if (!headers.NonValidated.TryGetValues(name, out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            return value;
        }

        return null;
    }

    /// <summary>Reads <c>grpc-status</c> and <c>grpc-message</c>; false when the status header is absent.</summary>
    public static bool TryGetStatus(HttpHeaders headers, out Status status)
    {
        var code = GetValue(headers, GrpcProtocol.StatusHeader);
        if (code is null)
        {
            status = default;
            return false;
        }

        var message = GetValue(headers, GrpcProtocol.MessageHeader);
        var detail = message is null ? string.Empty : PercentEncoding.Decode(message);
        status = int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? new Status((StatusCode)value, detail)
            : new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{code}'. {detail}".TrimEnd());
        return true;
    }

    internal static string ToUnpaddedBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static void AddFrom(HttpHeaders headers, ref Metadata? metadata)
    {
        foreach (var header in headers.NonValidated)
        {
            var name = header.Key;
            if (GrpcProtocol.IsReservedHeader(name))
            {
                continue;
            }

            var key = name.ToLowerInvariant();
            var binary = key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal);
            foreach (var value in header.Value)
            {
                if (binary)
                {
                    // A binary header may carry several base64 values joined by commas.
                    foreach (var part in value.Split(','))
                    {
                        if (Base64.DecodeLenient(part) is { } bytes)
                        {
                            TryAdd(ref metadata, key, bytes, null);
                        }
                    }
                }
                else
                {
                    TryAdd(ref metadata, key, null, value);
                }
            }
        }
    }

    private static void TryAdd(ref Metadata? metadata, string key, byte[]? bytes, string? text)
    {
        Metadata.Entry entry;
        try
        {
            entry = bytes is not null ? new Metadata.Entry(key, bytes) : new Metadata.Entry(key, text!);
        }
        catch (ArgumentException)
        {
            // A header no gRPC peer could have sent as metadata (odd name or non-ASCII text): not metadata.
            return;
        }

        (metadata ??= []).Add(entry);
    }
}
