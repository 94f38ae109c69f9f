using System.Text;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Generator.Internal;

/// <summary>
/// The comments written above services and rpcs in the .proto, turned into XML doc comments.
/// protoc always sends source info for the files a plugin must generate.
/// </summary>
internal sealed class DocComments
{
    // Field numbers in descriptor.proto that make up a location path.
    private const int FileServiceField = 6;
    private const int ServiceMethodField = 2;

    private readonly Dictionary<string, SourceCodeInfo.Types.Location> _locations = new(StringComparer.Ordinal);

    public DocComments(FileDescriptorProto file)
    {
        if (file.SourceCodeInfo is null)
        {
            return;
        }

        foreach (var location in file.SourceCodeInfo.Location)
        {
            _locations.TryAdd(Key(location.Path), location);
        }
    }

    public IReadOnlyList<string> ForService(int serviceIndex) => Lines([FileServiceField, serviceIndex]);

    public IReadOnlyList<string> ForMethod(int serviceIndex, int methodIndex) =>
        Lines([FileServiceField, serviceIndex, ServiceMethodField, methodIndex]);

    /// <summary>
    /// <c>/// &lt;summary&gt;</c> lines for a comment, XML-escaped; none for an empty comment.
    /// Runs of blank lines become one blank <c>///</c> line, since blank lines separate paragraphs.
    /// </summary>
    public static IReadOnlyList<string> ToXmlDoc(string comment)
    {
        var lines = new List<string>();
        var pendingBlank = false;
        foreach (var raw in comment.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                pendingBlank = lines.Count > 0;
                continue;
            }

            if (pendingBlank)
            {
                lines.Add("///");
                pendingBlank = false;
            }

            lines.Add("///" + (line[0] == ' ' ? string.Empty : " ") + XmlEscape(line));
        }

        if (lines.Count == 0)
        {
            return lines;
        }

        lines.Insert(0, "/// <summary>");
        lines.Add("/// </summary>");
        return lines;
    }

    public static string XmlEscape(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => result.Append("&amp;"),
                '<' => result.Append("&lt;"),
                '>' => result.Append("&gt;"),
                _ => result.Append(c),
            };
        }

        return result.ToString();
    }

    private IReadOnlyList<string> Lines(int[] path)
    {
        if (!_locations.TryGetValue(Key(path), out var location))
        {
            return [];
        }

        // Like protoc's C# generator: the leading comment, else the trailing one.
        var comment = location.LeadingComments.Trim().Length > 0 ? location.LeadingComments : location.TrailingComments;
        return ToXmlDoc(comment);
    }

    private static string Key(IEnumerable<int> path) => string.Join(',', path);
}
