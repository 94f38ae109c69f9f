using ConnectorKit.Client.Receiver.Internal;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server;
using ConnectorKit.Server.Validation;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectorKit.Contracts.Tests.ContractDoc;

/// <summary>docs/contract.md is what the proto, the status table and the examples generate, and they agree.</summary>
public sealed class ContractDocTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly Lazy<Task<FileDescriptorSet>> Image = new(LoadImageAsync);

    private static readonly Lazy<ILookup<string, string>> TestFiles = new(IndexTests);

    [Fact]
    public async Task ContractDoc_CheckedIn_IsWhatTheProtoGenerates()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var path = Path.Combine(BufTool.Root, "docs", "contract.md");

        var generated = Generate(set);

        if (Environment.GetEnvironmentVariable("CONNECTORKIT_WRITE_CONTRACT_DOC") == "1")
        {
            await File.WriteAllTextAsync(path, generated).WaitAsync(Timeout);
        }

        var checkedIn = File.Exists(path) ? (await File.ReadAllTextAsync(path).WaitAsync(Timeout)).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(
            checkedIn == generated,
            $"docs/contract.md is out of date with proto/connectorkit/v1 or the tables in tests/ConnectorKit.Contracts.Tests/ContractDoc. Run:\n{ContractDocGenerator.RegenerateCommand}\n" + FirstDifference(checkedIn, generated));
    }

    [Fact]
    public async Task Generate_RpcLeftOutOfTheStatusTable_RefusesNamingIt()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var rpcs = ContractStatuses.Rpcs.Where(r => r.Key != "LoanApplicationsService.QuoteFinancing").ToDictionary();

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, rpcs, ContractExamples.All, FindTest));

        Assert.Contains("LoanApplicationsService.QuoteFinancing: no entry in ContractStatuses.Rpcs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_StatusTableNamesAnRpcTheProtoLacks_Refuses()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var rpcs = new Dictionary<string, IReadOnlyList<StatusRow>>(ContractStatuses.Rpcs) { ["LoanApplicationsService.CancelApplication"] = [new("OK", "cancelled", null)] };

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, rpcs, ContractExamples.All, FindTest));

        Assert.Contains("LoanApplicationsService.CancelApplication: ContractStatuses.Rpcs names an rpc the proto does not have", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_CodeTheProtoCommentsNeverMention_Refuses()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var rpcs = new Dictionary<string, IReadOnlyList<StatusRow>>(ContractStatuses.Rpcs);
        rpcs["LoanApplicationsService.GetApplication"] = [.. rpcs["LoanApplicationsService.GetApplication"], new("ABORTED", "invented", null)];

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, rpcs, ContractExamples.All, FindTest));

        Assert.Contains("LoanApplicationsService.GetApplication: ABORTED is in the table but its proto comments never mention it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_CodeTheProtoCommentsMentionLeftOut_Refuses()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var rpcs = new Dictionary<string, IReadOnlyList<StatusRow>>(ContractStatuses.Rpcs);
        rpcs["LoanApplicationsService.SubmitApplication"] = rpcs["LoanApplicationsService.SubmitApplication"].Where(r => r.Code != "ALREADY_EXISTS").ToList();

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, rpcs, ContractExamples.All, FindTest));

        Assert.Contains("LoanApplicationsService.SubmitApplication: its proto comments mention ALREADY_EXISTS but no row of the table does", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ShownByATestThatDoesNotExist_Refuses()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var rpcs = new Dictionary<string, IReadOnlyList<StatusRow>>(ContractStatuses.Rpcs)
        {
            ["LoanApplicationsService.QuoteFinancing"] = [new("OK", "a quote", "BankServerTests.QuoteFinancing_RenamedLongAgo_Quotes")],
        };

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, rpcs, ContractExamples.All, FindTest));

        Assert.Contains("no test BankServerTests.QuoteFinancing_RenamedLongAgo_Quotes under tests/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_RpcWithoutExample_Refuses()
    {
        var set = await Image.Value.WaitAsync(Timeout);
        var examples = ContractExamples.All.Where(e => e.Key != "CreditDataService.RevokeConsent").ToDictionary();

        var error = Assert.Throws<InvalidOperationException>(() => ContractDocGenerator.Generate(set, ContractStatuses.Services, ContractStatuses.Rpcs, examples, FindTest));

        Assert.Contains("CreditDataService.RevokeConsent: no example in ContractExamples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Examples_Requests_PassTheReferenceImplementationsValidation()
    {
        var validator = new RequestValidator(new ConnectorKitServerOptions { BankId = ContractExamples.BankId }, new FixedClock(ContractExamples.Now), NullLogger<RequestValidator>.Instance);
        var faults = new List<string>();
        var checkedCount = 0;

        foreach (var (rpc, example) in ContractExamples.All)
        {
            foreach (var request in example.Requests)
            {
                var fault = Validate(validator, request);
                checkedCount++;
                if (fault is not null)
                {
                    faults.Add($"{rpc}: {fault}");
                }
            }
        }

        Assert.Equal(10, checkedCount);
        Assert.True(faults.Count == 0, string.Join("\n", faults));
    }

    /// <summary>What ConnectorKit.Server (bank services) or the callback receiver (LoanEventsService) finds wrong, or null.</summary>
    private static string? Validate(RequestValidator validator, IMessage request)
    {
        var result = request switch
        {
            PushCreditProfileRequest push => validator.ValidateProfile(push.Profile),
            StreamCreditProfilesRequest stream => validator.ValidateProfile(stream.Profile),
            RevokeConsentRequest revoke => validator.ValidateRevoke(revoke),
            SubmitApplicationRequest submit => validator.ValidateSubmit(submit),
            GetApplicationRequest get => validator.ValidateGet(get),
            WithdrawApplicationRequest withdraw => validator.ValidateWithdraw(withdraw),
            QuoteFinancingRequest quote => validator.ValidateQuote(quote),
            _ => null,
        };
        if (result is not null)
        {
            return result.IsValid ? null : result.Message;
        }

        try
        {
            switch (request)
            {
                case NotifyApprovalDecisionRequest decision:
                    LoanEventValidator.Validate(decision);
                    break;
                case NotifyDisbursementRequest disbursement:
                    LoanEventValidator.Validate(disbursement);
                    break;
                default:
                    return $"no validation known for {request.Descriptor.FullName}";
            }

            return null;
        }
        catch (RpcException ex)
        {
            return ex.Status.Detail;
        }
    }

    private static string Generate(FileDescriptorSet set)
        => ContractDocGenerator.Generate(set, ContractStatuses.Services, ContractStatuses.Rpcs, ContractExamples.All, FindTest);

    private static string? FindTest(string classAndMethod)
    {
        var dot = classAndMethod.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return null;
        }

        // Several projects may have a test class of the same name; the one declaring the method is meant.
        var declaration = $" {classAndMethod[(dot + 1)..]}(";
        return TestFiles.Value[classAndMethod[..dot]]
            .FirstOrDefault(file => File.ReadAllText(Path.Combine(BufTool.Root, file)).Contains(declaration, StringComparison.Ordinal));
    }

    private static ILookup<string, string> IndexTests()
    {
        var tests = Path.Combine(BufTool.Root, "tests");
        return Directory.EnumerateFiles(tests, "*Tests.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(BufTool.Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToLookup(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
    }

    private static async Task<FileDescriptorSet> LoadImageAsync()
    {
        var image = Path.Combine(Path.GetTempPath(), $"ck-contract-doc-{Guid.NewGuid():N}.binpb");
        try
        {
            var (exitCode, output) = await BufTool.BufAsync(BufTool.Root, "build", "-o", image);
            Assert.True(exitCode == 0, "buf build failed (run eng/test.sh once to install tools/node_modules):\n" + output);
            return FileDescriptorSet.Parser.ParseFrom(await File.ReadAllBytesAsync(image));
        }
        finally
        {
            File.Delete(image);
        }
    }

    private static string FirstDifference(string checkedIn, string generated)
    {
        var a = checkedIn.Split('\n');
        var b = generated.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end of file)";
            var right = i < b.Length ? b[i] : "(end of file)";
            if (left != right)
            {
                return $"First difference at line {i + 1}:\n  checked in: {left}\n  generated:  {right}";
            }
        }

        return string.Empty;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
