using ConnectorKit.Conformance.Reports;
using ConnectorKit.Conformance.Running;
using ConnectorKit.Conformance.Targets;

namespace ConnectorKit.Conformance.Tests.ServerMode;

/// <summary>The whole suite in server mode against the reference bank, as an integrator would run it before go-live.</summary>
public sealed class ReferenceBankConformanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RunAsync_ReferenceBank_EveryCasePassesOrSkipsForADeclaredReason()
    {
        await using var bank = await ReferenceBankProcess.StartAsync().WaitAsync(Timeout);
        var options = new ServerTargetOptions
        {
            Name = "reference bank",
            Address = bank.GrpcAddress,
            BankId = ReferenceBankProcess.BankId,
            Token = ReferenceBankProcess.Token,
            OtherPlatformToken = ReferenceBankProcess.OtherToken,
            CallbackListen = new Uri($"http://127.0.0.1:{bank.CallbackPort}"),
            Driver = new ServerTargetOptions.DriverSettings { Url = bank.DriverAddress, Token = ReferenceBankProcess.DriverToken },
        };
        await using var target = await ServerTarget.StartAsync(options).WaitAsync(Timeout);

        var report = await new ConformanceRunner().RunAsync(target, new ConformanceRunOptions { Parallelism = 4 }).WaitAsync(Timeout);

        Assert.True(report.Succeeded, Describe(report));
        var skipped = report.Cases.Where(c => c.Outcome == ConformanceOutcome.Skipped).ToList();
        Assert.All(skipped, c => Assert.Equal("needs the bank-side request journal, which only connector mode has", c.Reason));
        Assert.Contains(report.Cases, c => c.Id == "CK-SEC-002" && c.Outcome == ConformanceOutcome.Passed);
    }

    internal static string Describe(ConformanceReport report) => string.Join(
        Environment.NewLine,
        report.Errors.Concat(report.Cases.Where(c => c.Outcome is ConformanceOutcome.Failed or ConformanceOutcome.Skipped or ConformanceOutcome.Warning).Select(c => $"{c.Id} {c.Outcome}: {c.Reason}")));
}
