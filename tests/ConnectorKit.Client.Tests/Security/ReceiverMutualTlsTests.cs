using System.Security.Cryptography.X509Certificates;
using ConnectorKit.Client.Tests.Receiver;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Client.Tests.Security;

/// <summary>
/// Banks calling the platform's receiver over mutual TLS: identity from a CA-signed certificate's CN
/// (<see cref="Receiver.ConnectorKitCallbackOptions.ClientCertificateCaPath"/>) or from a pinned thumbprint.
/// </summary>
public sealed class ReceiverMutualTlsTests(BankCertificates certificates) : IClassFixture<BankCertificates>
{
    private static readonly TimeSpan Timeout = TlsCallbackHost.Timeout;
    private static readonly DateTimeOffset SubmittedAt = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task NotifyApprovalDecision_CaSignedCertificate_AppliedForCommonNameBank()
    {
        await using var host = await StartWithCaAsync();
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.BankA);

        var response = await DecideAsync(bank, Approve("e1", "app-1", CallbackHost.BankA));

        Assert.False(response.Duplicate);
        var call = Assert.Single(host.Handler.Calls);
        Assert.Equal(CallbackHost.BankA, call.Context.BankId);
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Approved, stored!.State);
        Assert.Equal(1UL, stored.LastSequence);
    }

    [Theory]
    [InlineData(CallbackHost.BankA)]
    [InlineData(CallbackHost.BankB)]
    public async Task NotifyApprovalDecision_BankBCertificateOnBankAApplication_PermissionDenied(string headerBankId)
    {
        await using var host = await StartWithCaAsync();
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.BankB);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(bank, Approve("e1", "app-1", headerBankId))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
        Assert.Equal(0UL, (await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout))!.LastSequence);
    }

    [Fact]
    public async Task NotifyApprovalDecision_CertificateFromAnotherCaNamingBankA_Unauthenticated()
    {
        await using var host = await StartWithCaAsync();
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.OtherCaBankA);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(bank, Approve("e1", "app-1", CallbackHost.BankA))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
    }

    [Fact]
    public async Task NotifyApprovalDecision_PinnedCertificate_AppliedForPinnedBankWhateverItsIssuer()
    {
        await using var host = await StartPinnedAsync(certificates.OtherCaBankA, CallbackHost.BankA);
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.OtherCaBankA);

        var response = await DecideAsync(bank, Approve("e1", "app-1", CallbackHost.BankA));

        Assert.False(response.Duplicate);
        Assert.Equal(["e1"], host.Handler.Calls.Select(c => c.Context.EventId));
        var stored = await host.Store.GetAsync(CallbackHost.BankA, "app-1").WaitAsync(Timeout);
        Assert.Equal(ApplicationState.Approved, stored!.State);
    }

    [Fact]
    public async Task NotifyApprovalDecision_CertificatePinnedToBankBOnBankAApplication_PermissionDenied()
    {
        await using var host = await StartPinnedAsync(certificates.BankB, CallbackHost.BankB);
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.BankB);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(bank, Approve("e1", "app-1", CallbackHost.BankA))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
    }

    [Fact]
    public async Task NotifyApprovalDecision_UnpinnedCertificateWhenOnlyPinsConfigured_Unauthenticated()
    {
        await using var host = await StartPinnedAsync(certificates.OtherCaBankA, CallbackHost.BankA);
        await SubmitAsync(host, CallbackHost.BankA, "app-1");
        using var bank = EchoCalls.TlsChannel(host.Address, certificates.Pki.Authority, certificates.BankA);

        var error = await Assert.ThrowsAsync<RpcException>(() => DecideAsync(bank, Approve("e1", "app-1", CallbackHost.BankA))).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Empty(host.Handler.Calls);
    }

    private Task<TlsCallbackHost> StartWithCaAsync()
        => TlsCallbackHost.StartAsync(certificates.Pki.Server, o => o.ClientCertificateCaPath = certificates.Pki.AuthorityPemPath);

    private Task<TlsCallbackHost> StartPinnedAsync(X509Certificate2 pinned, string bankId)
        => TlsCallbackHost.StartAsync(certificates.Pki.Server, o => o.PinnedClientCertificates[TestCertificates.Sha256Thumbprint(pinned)] = bankId);

    private static Task SubmitAsync(TlsCallbackHost host, string bankId, string applicationId) => host.Tracker.RecordSubmittedAsync(
        bankId,
        new Application
        {
            ApplicationId = applicationId,
            EnterpriseCreditCode = "91310110666007217T",
            Product = ProductType.CreditLoan,
            RequestedAmount = new Money { UnitsMinor = 100_000_000, CurrencyCode = "CNY" },
            State = ApplicationState.Submitted,
        },
        SubmittedAt).WaitAsync(Timeout);

    private static Task<NotifyApprovalDecisionResponse> DecideAsync(GrpcChannel channel, NotifyApprovalDecisionRequest request)
        => new LoanEventsService.LoanEventsServiceClient(channel).NotifyApprovalDecisionAsync(request).ResponseAsync.WaitAsync(Timeout);

    private static NotifyApprovalDecisionRequest Approve(string eventId, string applicationId, string bankId) => new()
    {
        Header = new EventHeader
        {
            EventId = eventId,
            ApplicationId = applicationId,
            BankId = bankId,
            Sequence = 1,
            OccurredAt = Timestamp.FromDateTimeOffset(SubmittedAt.AddDays(1)),
        },
        Approved = new ApprovedTerms { Amount = new Money { UnitsMinor = 100_000_000, CurrencyCode = "CNY" }, AnnualRateBp = 345, TermMonths = 12 },
    };
}
