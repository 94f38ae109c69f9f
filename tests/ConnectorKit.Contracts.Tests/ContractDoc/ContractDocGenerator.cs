using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Contracts.Tests.ContractDoc;

/// <summary>
/// Writes docs/contract.md from the proto's descriptors with their comments, the status table and the examples.
/// Throws, listing every problem, when the table or the examples do not match the proto.
/// </summary>
internal static partial class ContractDocGenerator
{
    public const string Package = "connectorkit.v1";

    public const string RegenerateCommand =
        "CONNECTORKIT_WRITE_CONTRACT_DOC=1 dotnet test tests/ConnectorKit.Contracts.Tests --filter FullyQualifiedName~ContractDocTests";

    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="findTest">Maps "Class.Method" to the test file's path relative to the repository root, or null when no such test exists.</param>
    public static string Generate(
        FileDescriptorSet set,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> serviceStatuses,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> rpcStatuses,
        IReadOnlyDictionary<string, RpcExample> examples,
        Func<string, string?> findTest)
    {
        var files = set.File.Where(f => f.Package == Package).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        Check(files, serviceStatuses, rpcStatuses, examples, findTest, problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("docs/contract.md cannot be generated:\n" + string.Join("\n", problems));
        }

        var doc = new StringBuilder();
        WriteIntroduction(doc, files);
        foreach (var file in files)
        {
            for (var s = 0; s < file.Service.Count; s++)
            {
                WriteService(doc, file, s, serviceStatuses, rpcStatuses, examples, findTest);
            }
        }

        doc.Append("## Messages and enums\n\n");
        foreach (var file in files)
        {
            for (var i = 0; i < file.MessageType.Count; i++)
            {
                WriteMessage(doc, file, i);
            }

            for (var i = 0; i < file.EnumType.Count; i++)
            {
                WriteEnum(doc, file, i);
            }
        }

        return doc.ToString().TrimEnd('\n') + "\n";
    }

    private static void Check(
        List<FileDescriptorProto> files,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> serviceStatuses,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> rpcStatuses,
        IReadOnlyDictionary<string, RpcExample> examples,
        Func<string, string?> findTest,
        List<string> problems)
    {
        var services = new HashSet<string>(StringComparer.Ordinal);
        var rpcs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.MessageType.Any(m => m.NestedType.Count > 0 || m.EnumType.Count > 0))
            {
                problems.Add($"{file.Name}: nested messages or enums; the generator does not document them yet.");
            }

            for (var s = 0; s < file.Service.Count; s++)
            {
                var service = file.Service[s];
                services.Add(service.Name);
                var serviceComment = Comment(file, [6, s]);
                if (!serviceStatuses.TryGetValue(service.Name, out var common))
                {
                    problems.Add($"{service.Name}: no entry in ContractStatuses.Services.");
                    common = [];
                }

                CheckRows(service.Name, common, serviceComment, common, findTest, problems);
                for (var m = 0; m < service.Method.Count; m++)
                {
                    var key = $"{service.Name}.{service.Method[m].Name}";
                    rpcs.Add(key);
                    if (!rpcStatuses.TryGetValue(key, out var rows))
                    {
                        problems.Add($"{key}: no entry in ContractStatuses.Rpcs; every rpc needs its statuses.");
                        continue;
                    }

                    if (!rows.Any(r => r.Code == "OK"))
                    {
                        problems.Add($"{key}: no OK row saying what success answers.");
                    }

                    CheckRows(key, rows, Comment(file, [6, s, 2, m]) + "\n" + serviceComment, rows.Concat(common).ToList(), findTest, problems);
                    if (!examples.TryGetValue(key, out var example))
                    {
                        problems.Add($"{key}: no example in ContractExamples.");
                    }
                    else
                    {
                        CheckExample(key, service.Method[m], example, problems);
                    }
                }
            }
        }

        problems.AddRange(serviceStatuses.Keys.Where(k => !services.Contains(k)).Select(k => $"{k}: ContractStatuses.Services names a service the proto does not have."));
        problems.AddRange(rpcStatuses.Keys.Where(k => !rpcs.Contains(k)).Select(k => $"{k}: ContractStatuses.Rpcs names an rpc the proto does not have."));
        problems.AddRange(examples.Keys.Where(k => !rpcs.Contains(k)).Select(k => $"{k}: ContractExamples names an rpc the proto does not have."));
    }

    /// <summary>
    /// The rows may list only codes the proto comment mentions, and every code the comment mentions must appear in a
    /// row (its code or its sentence) of the rpc or its service.
    /// </summary>
    private static void CheckRows(string owner, IReadOnlyList<StatusRow> rows, string comment, IReadOnlyList<StatusRow> visible, Func<string, string?> findTest, List<string> problems)
    {
        var mentioned = Mentioned(comment);
        foreach (var row in rows)
        {
            if (!StatusNames.Contains(row.Code))
            {
                problems.Add($"{owner}: '{row.Code}' is not a gRPC status name.");
            }
            else if (row.Code != "OK" && !mentioned.Contains(row.Code))
            {
                problems.Add($"{owner}: {row.Code} is in the table but its proto comments never mention it.");
            }

            if (row.ShownBy is not null && findTest(row.ShownBy) is null)
            {
                problems.Add($"{owner} {row.Code}: no test {row.ShownBy} under tests/.");
            }
        }

        foreach (var code in mentioned.Where(c => !visible.Any(r => r.Code == c || Mentioned(r.When).Contains(c))))
        {
            problems.Add($"{owner}: its proto comments mention {code} but no row of the table does.");
        }
    }

    private static HashSet<string> Mentioned(string text)
        => StatusNames.Where(n => n != "OK" && Regex.IsMatch(text, $@"\b{n}\b")).ToHashSet(StringComparer.Ordinal);

    private static void CheckExample(string key, MethodDescriptorProto method, RpcExample example, List<string> problems)
    {
        var requestType = method.InputType.TrimStart('.');
        var responseType = method.OutputType.TrimStart('.');
        if (example.Requests.Count == 0 || example.Requests.Any(r => r.Descriptor.FullName != requestType))
        {
            problems.Add($"{key}: the example requests must be {requestType}.");
        }

        if (example.Requests.Count > 1 && !method.ClientStreaming)
        {
            problems.Add($"{key}: several example requests for an rpc that takes one.");
        }

        if (example.Response.Descriptor.FullName != responseType)
        {
            problems.Add($"{key}: the example response must be {responseType}.");
        }
    }

    private static void WriteIntroduction(StringBuilder doc, List<FileDescriptorProto> files)
    {
        doc.Append("# The ConnectorKit v1 contract\n\n");
        doc.Append("<!-- Generated from proto/connectorkit/v1 by tests/ConnectorKit.Contracts.Tests/ContractDoc. Do not edit by hand. -->\n\n");
        doc.Append("Every rpc of [`proto/connectorkit/v1`](../proto/connectorkit/v1) with its rules, the statuses it answers and an example, ");
        doc.Append("then every message and enum with the rules of its fields. This page is generated from the proto files and their comments, ");
        doc.Append("so it says what they say; the test suite fails when it is out of date. To change it, change the proto comments, ");
        doc.Append("`tests/ConnectorKit.Contracts.Tests/ContractDoc/ContractStatuses.cs` (statuses) or `ContractExamples.cs` (examples), then run:\n\n");
        doc.Append("```bash\n").Append(RegenerateCommand).Append("\n```\n\n");
        doc.Append("How to read it:\n\n");
        doc.Append("- **Statuses**: \"shown by\" names the test that shows the reference implementation doing what the row says: ConnectorKit.Server ");
        doc.Append("for the bank's services, the callback receiver of ConnectorKit.Client for LoanEventsService (and ConnectorKit.Server's outbox as ");
        doc.Append("its sender). \"not shown\" marks a status the contract allows that no test produces yet. Every status is a standard gRPC code; details travel as `google.rpc.Status` in ");
        doc.Append("`grpc-status-details-bin` (BadRequest for INVALID_ARGUMENT, PreconditionFailure for consent and state faults, ");
        doc.Append("ErrorInfo and ResourceInfo where a row says so).\n");
        doc.Append("- **Examples** are real messages printed as proto3 JSON (what `buf curl` and grpcurl accept and print): field names in ");
        doc.Append("lowerCamelCase, enums by name, 64-bit integers as strings, timestamps in RFC 3339, fields at their default value left out. ");
        doc.Append("The example requests pass the reference implementation's input checks (ConnectorKit.Server's for the bank's services, ");
        doc.Append("the callback receiver's for LoanEventsService); a test holds them to it.\n");
        doc.Append("- How the contract may change: [versioning.md](versioning.md).\n\n");

        var conventions = files.Select(f => FileComment(f)).FirstOrDefault(c => c.Contains("Conventions", StringComparison.Ordinal));
        if (conventions is not null)
        {
            doc.Append("## Conventions\n\n");
            AppendBlock(doc, StripFirstLine(conventions));
        }

        doc.Append("## Services\n\n");
        doc.Append("| service | served by | rpcs |\n|---|---|---|\n");
        foreach (var file in files)
        {
            foreach (var service in file.Service)
            {
                var servedBy = service.Name == "LoanEventsService" ? "the platform" : "the bank, or a connector for it";
                doc.Append($"| [{service.Name}](#{Anchor(service.Name)}) | {servedBy} | ");
                doc.Append(string.Join(", ", service.Method.Select(m => $"[{m.Name}](#{Anchor(m.Name)})"))).Append(" |\n");
            }
        }

        doc.Append('\n');
    }

    private static void WriteService(
        StringBuilder doc,
        FileDescriptorProto file,
        int s,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> serviceStatuses,
        IReadOnlyDictionary<string, IReadOnlyList<StatusRow>> rpcStatuses,
        IReadOnlyDictionary<string, RpcExample> examples,
        Func<string, string?> findTest)
    {
        var service = file.Service[s];
        doc.Append($"## {service.Name}\n\n");
        doc.Append($"`{Package}.{service.Name}` in [`{file.Name}`](../proto/{file.Name}).\n\n");
        AppendBlock(doc, Comment(file, [6, s]));
        doc.Append($"### Codes of {service.Name}\n\nEvery rpc of {service.Name} may answer these, besides its own.\n\n");
        AppendStatuses(doc, serviceStatuses[service.Name], findTest);

        for (var m = 0; m < service.Method.Count; m++)
        {
            var method = service.Method[m];
            var key = $"{service.Name}.{method.Name}";
            var request = method.InputType.TrimStart('.')[(Package.Length + 1)..];
            var response = method.OutputType.TrimStart('.')[(Package.Length + 1)..];
            var kind = (method.ClientStreaming, method.ServerStreaming) switch
            {
                (false, false) => "unary",
                (true, false) => "client streaming",
                (false, true) => "server streaming",
                _ => "bidirectional streaming",
            };
            doc.Append($"### {method.Name}\n\n");
            doc.Append($"`rpc {method.Name}({(method.ClientStreaming ? "stream " : string.Empty)}{request}) returns ({(method.ServerStreaming ? "stream " : string.Empty)}{response})`: {kind}. ");
            doc.Append($"Request [{request}](#{Anchor(request)}), response [{response}](#{Anchor(response)}).\n\n");
            AppendBlock(doc, Comment(file, [6, s, 2, m]));
            doc.Append($"**Statuses** (plus [the codes of {service.Name}](#{Anchor("Codes of " + service.Name)})):\n\n");
            AppendStatuses(doc, rpcStatuses[key], findTest);

            var example = examples[key];
            doc.Append(example.Requests.Count > 1 ? $"**Example**: {example.Requests.Count} of the stream's messages\n\n" : "**Example request**\n\n");
            foreach (var message in example.Requests)
            {
                doc.Append("```json\n").Append(ToJson(message)).Append("\n```\n\n");
            }

            doc.Append("**Example response**\n\n```json\n").Append(ToJson(example.Response)).Append("\n```\n\n");
        }
    }

    private static void AppendStatuses(StringBuilder doc, IReadOnlyList<StatusRow> rows, Func<string, string?> findTest)
    {
        doc.Append("| status | when | shown by |\n|---|---|---|\n");
        foreach (var row in rows)
        {
            var shownBy = row.ShownBy is null ? "not shown" : $"[{Cell(row.ShownBy)}](../{findTest(row.ShownBy)})";
            doc.Append($"| {row.Code} | {Cell(row.When)} | {shownBy} |\n");
        }

        doc.Append('\n');
    }

    private static void WriteMessage(StringBuilder doc, FileDescriptorProto file, int i)
    {
        var message = file.MessageType[i];
        doc.Append($"### {message.Name}\n\n");
        doc.Append($"Message in [`{file.Name}`](../proto/{file.Name}).\n\n");
        AppendBlock(doc, Comment(file, [4, i]));
        if (message.Field.Count == 0)
        {
            doc.Append("No fields.\n\n");
            return;
        }

        doc.Append("| field | number | type | rules |\n|---|---:|---|---|\n");
        for (var f = 0; f < message.Field.Count; f++)
        {
            var field = message.Field[f];
            var rules = Cell(Comment(file, [4, i, 2, f]));
            if (field.HasOneofIndex && !field.Proto3Optional)
            {
                rules = $"One of `{message.OneofDecl[field.OneofIndex].Name}`. " + rules;
            }

            doc.Append($"| `{field.Name}` | {field.Number} | {TypeName(field)} | {rules} |\n");
        }

        doc.Append('\n');
    }

    private static void WriteEnum(StringBuilder doc, FileDescriptorProto file, int i)
    {
        var enumType = file.EnumType[i];
        doc.Append($"### {enumType.Name}\n\n");
        doc.Append($"Enum in [`{file.Name}`](../proto/{file.Name}).\n\n");
        AppendBlock(doc, Comment(file, [5, i]));
        doc.Append("| value | number | meaning |\n|---|---:|---|\n");
        for (var v = 0; v < enumType.Value.Count; v++)
        {
            doc.Append($"| `{enumType.Value[v].Name}` | {enumType.Value[v].Number} | {Cell(Comment(file, [5, i, 2, v]))} |\n");
        }

        doc.Append('\n');
    }

    private static string TypeName(FieldDescriptorProto field)
    {
        var type = field.Type switch
        {
            FieldDescriptorProto.Types.Type.Message or FieldDescriptorProto.Types.Type.Enum when field.TypeName.StartsWith($".{Package}.", StringComparison.Ordinal)
                => $"[{field.TypeName[(Package.Length + 2)..]}](#{Anchor(field.TypeName[(Package.Length + 2)..])})",
            FieldDescriptorProto.Types.Type.Message or FieldDescriptorProto.Types.Type.Enum => $"`{field.TypeName.TrimStart('.')}`",
            _ => field.Type.ToString().ToLowerInvariant(),
        };
        return field.Label == FieldDescriptorProto.Types.Label.Repeated ? "repeated " + type : type;
    }

    private static string ToJson(IMessage message)
        => JsonNode.Parse(Json.Format(message))!.ToJsonString(Indented);

    private static string Comment(FileDescriptorProto file, int[] path)
    {
        var location = file.SourceCodeInfo.Location.FirstOrDefault(l => l.Path.SequenceEqual(path));
        return location is null ? string.Empty : Clean(location.LeadingComments);
    }

    private static string FileComment(FileDescriptorProto file)
    {
        // The comment above `syntax` (path 12 in descriptor.proto), attached or detached.
        var location = file.SourceCodeInfo.Location.FirstOrDefault(l => l.Path.Count == 1 && l.Path[0] == 12);
        return location is null ? string.Empty : string.Join("\n\n", location.LeadingDetachedComments.Append(location.LeadingComments).Select(Clean).Where(c => c.Length > 0));
    }

    private static string StripFirstLine(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? string.Empty : text[(newline + 1)..].TrimStart('\n');
    }

    /// <summary>protoc keeps the space after "//" on every line; the first one is not part of the text.</summary>
    private static string Clean(string comment)
        => string.Join("\n", comment.TrimEnd().Split('\n').Select(l => l.StartsWith(' ') ? l[1..] : l)).Trim('\n');

    /// <summary>
    /// A proto comment as Markdown: its lines kept, "*" escaped except as a bullet, and a blank line around lists so
    /// that a sentence after a list does not join its last item.
    /// </summary>
    private static void AppendBlock(StringBuilder doc, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        var inList = false;
        var previousBlank = true;
        foreach (var raw in text.Split('\n'))
        {
            var isItem = raw.StartsWith("* ", StringComparison.Ordinal) || ListNumber().IsMatch(raw);
            var isContinuation = raw.StartsWith(' ') && inList;
            if (raw.Length == 0)
            {
                inList = false;
            }
            else if (isItem && !inList && !previousBlank)
            {
                doc.Append('\n');
            }
            else if (!isItem && !isContinuation && inList)
            {
                doc.Append('\n');
                inList = false;
            }

            inList |= isItem;
            var line = raw.StartsWith("* ", StringComparison.Ordinal) ? "* " + Inline(raw[2..]) : Inline(raw);
            doc.Append(line).Append('\n');
            previousBlank = raw.Length == 0;
        }

        doc.Append('\n');
    }

    private static string Inline(string text) => text.Replace("*", "\\*", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Cell(string text)
        => Inline(Regex.Replace(text, @"\s*\n\s*", " ")).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>GitHub's heading anchors: lower case, spaces to hyphens, other punctuation dropped.</summary>
    private static string Anchor(string heading)
        => Regex.Replace(heading.ToLowerInvariant().Replace(' ', '-'), "[^a-z0-9_-]", string.Empty);

    [GeneratedRegex(@"^\d+\. ")]
    private static partial Regex ListNumber();
}
