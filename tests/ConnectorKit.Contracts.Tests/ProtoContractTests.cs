using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Contracts.Tests;

/// <summary>The v1 contract stays lint-clean, wire-compatible and documented.</summary>
public sealed class ProtoContractTests
{
    private const string V1Directory = "proto/connectorkit/v1";

    [Fact]
    public async Task BufLint_ProtoTree_HasNoFindings()
    {
        var (exitCode, output) = await BufTool.BufAsync(BufTool.Root, "lint");

        Assert.True(exitCode == 0, "buf lint findings:\n" + output);
    }

    [Fact]
    public async Task BufBreaking_AgainstPreviousCommit_FindsNothing()
    {
        var previous = await CommitWithV1Async("HEAD~1");
        if (previous is null)
        {
            // The commit before this one predates v1 (or the clone is shallow): the first-v1 check below still guards it.
            var first = await FirstV1CommitAsync();
            Assert.False(string.IsNullOrEmpty(first), "No commit holds proto/connectorkit/v1; the contract is not under version control.");
            return;
        }

        var (exitCode, output) = await BufTool.BufAsync(BufTool.Root, "breaking", "--against", $".git#ref={previous}");

        Assert.True(exitCode == 0, $"Breaking changes against {previous}:\n{output}");
    }

    [Fact]
    public async Task BufBreaking_AgainstFirstV1Commit_FindsNothing()
    {
        var first = await FirstV1CommitAsync();
        Assert.False(string.IsNullOrEmpty(first), "No commit holds proto/connectorkit/v1.");

        var (exitCode, output) = await BufTool.BufAsync(BufTool.Root, "breaking", "--against", $".git#ref={first}");

        Assert.True(exitCode == 0, $"v1 is no longer wire-compatible with its first release ({first}):\n{output}");
    }

    [Fact]
    public async Task BufBreaking_RenumberedField_IsReported()
    {
        var copy = CopyModule();
        var common = Path.Combine(copy, V1Directory, "common.proto");
        var text = await File.ReadAllTextAsync(common);
        var changed = System.Text.RegularExpressions.Regex.Replace(text, @"int64 units_minor = (\d+);", "int64 units_minor = 99;");
        Assert.NotEqual(text, changed);
        await File.WriteAllTextAsync(common, changed);

        var (exitCode, output) = await BufTool.BufAsync(copy, "breaking", "--against", BufTool.Root);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("units_minor", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtoFiles_EveryServiceRpcMessageFieldAndEnumValue_HasAComment()
    {
        var image = Path.Combine(Path.GetTempPath(), $"ck-image-{Guid.NewGuid():N}.binpb");
        var (exitCode, output) = await BufTool.BufAsync(BufTool.Root, "build", "-o", image);
        Assert.True(exitCode == 0, output);
        var set = FileDescriptorSet.Parser.ParseFrom(await File.ReadAllBytesAsync(image));
        File.Delete(image);

        var missing = new List<string>();
        foreach (var file in set.File.Where(f => f.Name.StartsWith("connectorkit/v1/", StringComparison.Ordinal)))
        {
            var commented = file.SourceCodeInfo.Location
                .Where(l => !string.IsNullOrWhiteSpace(l.LeadingComments) || !string.IsNullOrWhiteSpace(l.TrailingComments))
                .Select(l => string.Join(".", l.Path))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var (path, name) in Elements(file))
            {
                if (!commented.Contains(path))
                {
                    missing.Add($"{file.Name}: {name}");
                }
            }
        }

        Assert.True(missing.Count == 0, "Elements without a comment:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void GeneratedServices_MatchTheContract()
    {
        var methods = new[]
        {
            V1.CreditDataService.Descriptor,
            V1.LoanApplicationsService.Descriptor,
            V1.LoanEventsService.Descriptor,
        }.SelectMany(s => s.Methods).ToDictionary(m => m.FullName, m => (m.IsClientStreaming, m.IsServerStreaming));

        Assert.Equal(
            new Dictionary<string, (bool, bool)>
            {
                ["connectorkit.v1.CreditDataService.PushCreditProfile"] = (false, false),
                ["connectorkit.v1.CreditDataService.StreamCreditProfiles"] = (true, false),
                ["connectorkit.v1.CreditDataService.RevokeConsent"] = (false, false),
                ["connectorkit.v1.LoanApplicationsService.SubmitApplication"] = (false, false),
                ["connectorkit.v1.LoanApplicationsService.GetApplication"] = (false, false),
                ["connectorkit.v1.LoanApplicationsService.WithdrawApplication"] = (false, false),
                ["connectorkit.v1.LoanApplicationsService.QuoteFinancing"] = (false, false),
                ["connectorkit.v1.LoanEventsService.NotifyApprovalDecision"] = (false, false),
                ["connectorkit.v1.LoanEventsService.NotifyDisbursement"] = (false, false),
            },
            methods);
    }

    [Fact]
    public void Money_IsIntegerMinorUnits()
    {
        var units = V1.Money.Descriptor.FindFieldByName("units_minor");

        Assert.NotNull(units);
        Assert.Equal(FieldType.Int64, units.FieldType);
        Assert.DoesNotContain(V1.Money.Descriptor.Fields.InDeclarationOrder(), f => f.FieldType is FieldType.Double or FieldType.Float);
    }

    private static IEnumerable<(string Path, string Name)> Elements(FileDescriptorProto file)
    {
        // Paths follow descriptor.proto's field numbers: 4 message_type, 5 enum_type, 6 service, 2 field/method/value, 3 nested_type, 4 nested enum.
        for (var s = 0; s < file.Service.Count; s++)
        {
            yield return ($"6.{s}", file.Service[s].Name);
            for (var m = 0; m < file.Service[s].Method.Count; m++)
            {
                yield return ($"6.{s}.2.{m}", $"{file.Service[s].Name}.{file.Service[s].Method[m].Name}");
            }
        }

        for (var i = 0; i < file.MessageType.Count; i++)
        {
            foreach (var element in MessageElements(file.MessageType[i], $"4.{i}", file.MessageType[i].Name))
            {
                yield return element;
            }
        }

        for (var i = 0; i < file.EnumType.Count; i++)
        {
            foreach (var element in EnumElements(file.EnumType[i], $"5.{i}", file.EnumType[i].Name))
            {
                yield return element;
            }
        }
    }

    private static IEnumerable<(string Path, string Name)> MessageElements(DescriptorProto message, string path, string name)
    {
        yield return (path, name);
        for (var f = 0; f < message.Field.Count; f++)
        {
            yield return ($"{path}.2.{f}", $"{name}.{message.Field[f].Name}");
        }

        for (var n = 0; n < message.NestedType.Count; n++)
        {
            if (message.NestedType[n].Options?.MapEntry == true)
            {
                continue;
            }

            foreach (var element in MessageElements(message.NestedType[n], $"{path}.3.{n}", $"{name}.{message.NestedType[n].Name}"))
            {
                yield return element;
            }
        }

        for (var e = 0; e < message.EnumType.Count; e++)
        {
            foreach (var element in EnumElements(message.EnumType[e], $"{path}.4.{e}", $"{name}.{message.EnumType[e].Name}"))
            {
                yield return element;
            }
        }
    }

    private static IEnumerable<(string Path, string Name)> EnumElements(EnumDescriptorProto enumType, string path, string name)
    {
        yield return (path, name);
        for (var v = 0; v < enumType.Value.Count; v++)
        {
            yield return ($"{path}.2.{v}", $"{name}.{enumType.Value[v].Name}");
        }
    }

    private static async Task<string?> CommitWithV1Async(string reference)
    {
        var (exitCode, output) = await BufTool.GitAsync("rev-parse", "--verify", "--quiet", reference + "^{commit}");
        if (exitCode != 0)
        {
            return null;
        }

        var commit = output.Trim();
        var (lsExit, listing) = await BufTool.GitAsync("ls-tree", "--name-only", commit, V1Directory + "/");
        var (yamlExit, _) = await BufTool.GitAsync("cat-file", "-e", commit + ":buf.yaml");
        return lsExit == 0 && listing.Contains(".proto", StringComparison.Ordinal) && yamlExit == 0 ? commit : null;
    }

    private static async Task<string?> FirstV1CommitAsync()
    {
        var (_, output) = await BufTool.GitAsync("log", "--diff-filter=A", "--format=%H", "--", V1Directory + "/common.proto");
        var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return first is null ? null : await CommitWithV1Async(first);
    }

    private static string CopyModule()
    {
        var target = Path.Combine(Path.GetTempPath(), $"ck-proto-{Guid.NewGuid():N}");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(BufTool.Root, "proto"), "*.proto", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(BufTool.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        File.Copy(Path.Combine(BufTool.Root, "buf.yaml"), Path.Combine(target, "buf.yaml"));
        return target;
    }
}
