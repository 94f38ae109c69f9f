using ConnectorKit.Connectors.Testing;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;

namespace ConnectorKit.Examples.BankServer.Tests;

/// <summary>The reference bank as its own process, configured on the command line, against a recording platform.</summary>
public sealed partial class ReferenceBankProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-refbank-" + Guid.NewGuid().ToString("N"));
    private RecordingPlatform _platform = null!;
    private Process _bank = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _platform = await RecordingPlatform.StartAsync();
        var dll = Path.Combine(AppContext.BaseDirectory, "BankServer.dll");
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[]
        {
            dll,
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--ConnectorKit:Server:BankId=" + SampleData.BankId,
            "--ConnectorKit:Server:DataDirectory=" + _dataDirectory,
            "--ConnectorKit:Server:Platform:Address=" + _platform.Address,
            "--ConnectorKit:Server:Platform:PollInterval=00:00:00.050",
            "--Underwriting:PollInterval=00:00:00.050",
            "--Underwriting:TrancheInterval=00:00:00.050",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _bank = Process.Start(startInfo)!;
        while (true)
        {
            var line = await _bank.StandardOutput.ReadLineAsync().WaitAsync(Timeout) ?? throw new InvalidOperationException("The bank exited: " + await _bank.StandardError.ReadToEndAsync());
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                _address = new Uri(match.Groups[1].Value);
                break;
            }
        }

        // Keep draining the output so the bank never blocks on a full pipe.
        _ = _bank.StandardOutput.ReadToEndAsync();
        _ = _bank.StandardError.ReadToEndAsync();
    }

    public async Task DisposeAsync()
    {
        _bank.Kill(entireProcessTree: true);
        await _bank.WaitForExitAsync().WaitAsync(Timeout);
        _bank.Dispose();
        await _platform.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ReferenceBank_GoodProfile_ApprovesAndPaysTwoTranchesToThePlatform()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var code = SampleData.CreditCode(7001);
        await new CreditDataService.CreditDataServiceClient(channel).PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Good, score: 760) }).ResponseAsync.WaitAsync(Timeout);

        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit(code, amountYuan: 4_000_000)).ResponseAsync.WaitAsync(Timeout);
        var callbacks = await _platform.WaitForAsync(submitted.Application.ApplicationId, 3, Timeout);

        Assert.Equal(["decision:Approved", "disbursement:Paid", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        Assert.Equal(4_000_000_00L, callbacks.Skip(1).Sum(c => ((NotifyDisbursementRequest)c.Message).Amount.UnitsMinor));
    }

    [Fact]
    public async Task ReferenceBank_PoorProfile_RejectsWithReasonCode()
    {
        using var channel = GrpcChannel.ForAddress(_address);
        var code = SampleData.CreditCode(7002);
        await new CreditDataService.CreditDataServiceClient(channel).PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1, grade: CreditGrade.Poor, score: 300) }).ResponseAsync.WaitAsync(Timeout);

        var submitted = await new LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit(code)).ResponseAsync.WaitAsync(Timeout);
        var callbacks = await _platform.WaitForAsync(submitted.Application.ApplicationId, 1, Timeout);

        var decision = (NotifyApprovalDecisionRequest)Assert.Single(callbacks).Message;
        Assert.Equal(["GRADE_BELOW_POLICY"], decision.Rejected.ReasonCodes);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
