using System.Text;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;

/// <summary>
/// Keeps the signatures in the mapping files in step with their bodies. Every gateway answer there is written as
/// <c>{"response_biz_content":…,"sign":"…"}</c>; the signature covers the content's exact text. To regenerate after
/// editing a body: <c>CONNECTORKIT_RESIGN_MAPPINGS=1 dotnet test tests/ConnectorKit.Connectors.OpenPlatform.Tests --filter MappingFiles</c>
/// (rewrites only the sign values in the files under connectors/…/wiremock/mappings).
/// </summary>
internal static class MappingSigner
{
    public const string ResignVariable = "CONNECTORKIT_RESIGN_MAPPINGS";
    private const string Prefix = "{\"response_biz_content\":";
    private const string SignMarker = ",\"sign\":\"";

    /// <summary>Every signed body in the folder: file, content text and the signature it carries.</summary>
    public static IEnumerable<(string File, string Content, string Signature)> SignedBodies(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!;
            var mappings = node["mappings"] is JsonArray list ? list.Select(m => m!) : [node];
            foreach (var body in mappings.Select(m => m["response"]?["body"]?.GetValue<string>()).OfType<string>())
            {
                if (!body.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var at = body.LastIndexOf(SignMarker, StringComparison.Ordinal);
                if (at < 0 || !body.EndsWith("\"}", StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{Path.GetFileName(file)}: a gateway answer must end with ,\"sign\":\"…\"}}.");
                }

                yield return (file, body[Prefix.Length..at], body[(at + SignMarker.Length)..^2]);
            }
        }
    }

    /// <summary>Replaces each stale signature in the source folder's files with a fresh one; returns how many changed.</summary>
    public static int Resign(string sourceFolder, GatewayKeyRing bank)
    {
        var changed = 0;
        foreach (var group in SignedBodies(sourceFolder).GroupBy(b => b.File))
        {
            var text = File.ReadAllText(group.Key);
            foreach (var (_, content, signature) in group)
            {
                if (bank.TryVerify(Encoding.UTF8.GetBytes(content), signature, out _))
                {
                    continue;
                }

                // The file holds the signature as a JSON string inside a JSON string; base64 needs no escaping either way.
                var fresh = bank.Sign(Encoding.UTF8.GetBytes(content));
                var old = SignMarker.Replace("\"", "\\\"", StringComparison.Ordinal) + signature + "\\\"}";
                var index = text.IndexOf(old, StringComparison.Ordinal);
                if (index < 0)
                {
                    throw new InvalidDataException($"{Path.GetFileName(group.Key)}: could not find signature '{signature}' to replace.");
                }

                text = string.Concat(text.AsSpan(0, index), old.Replace(signature, fresh, StringComparison.Ordinal), text.AsSpan(index + old.Length));
                changed++;
            }

            File.WriteAllText(group.Key, text, new UTF8Encoding(false));
        }

        return changed;
    }

    /// <summary>connectors/ConnectorKit.Connectors.OpenPlatform/wiremock/mappings in the repository the tests run from.</summary>
    public static string SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConnectorKit.sln")))
            {
                return Path.Combine(dir.FullName, "connectors", "ConnectorKit.Connectors.OpenPlatform", "wiremock", "mappings");
            }
        }

        throw new DirectoryNotFoundException("No ConnectorKit.sln above " + AppContext.BaseDirectory);
    }
}
