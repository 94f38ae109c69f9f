using System.Net;
using System.Security.Cryptography;
using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;
using ConnectorKit.Connectors.Signing;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

/// <summary>
/// The bank rotates its notification key while the gateway is restarted with each configuration step, on one store:
/// the new key counts once configured, the old one during the overlap, and not after its removal.
/// </summary>
public sealed class KeyRotationTests(OpenPlatformFixture fixture) : IClassFixture<OpenPlatformFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = OpenPlatformFixture.Timeout;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-openplatform-rotation-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp folder is cleaned eventually.
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Notify_BankRotatesItsKey_NewAcceptedOnceConfiguredOldDuringOverlapRefusedAfterRemoval()
    {
        using var rsa = RSA.Create(2048);
        var newPrivate = rsa.ExportPkcs8PrivateKeyPem();
        var newPublic = rsa.ExportSubjectPublicKeyInfoPem();
        using var oldBank = TestBank.BankRing();
        using var newBank = TestBank.BankRing(newPrivate);
        (string, string) oldKey = ("bank-2025", TestBank.BankPublicPem);
        (string, string) newKey = ("bank-2026", newPublic);
        string id;
        HttpStatusCode newBeforeConfigured, oldBefore, oldDuringOverlap, newDuringOverlap, oldAfterRemoval, newAfterRemoval;

        await using (var before = await fixture.StartGatewayAsync(_dataDirectory, oldKey))
        {
            using var channel = before.CreateChannel();
            id = (await new Contracts.V1.LoanApplicationsService.LoanApplicationsServiceClient(channel).SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout)).Application.ApplicationId;
            newBeforeConfigured = await NotifyAsync(before, newBank, "N-r1-" + id, Review(id));
            oldBefore = await NotifyAsync(before, oldBank, "N-r2-" + id, Review(id));
        }

        await using (var overlap = await fixture.StartGatewayAsync(_dataDirectory, newKey, oldKey))
        {
            oldDuringOverlap = await NotifyAsync(overlap, oldBank, "N-r3-" + id, NotificationTests.Approved(id));
            newDuringOverlap = await NotifyAsync(overlap, newBank, "N-r4-" + id, NotificationTests.Paid(id, "T1", 100_000_000));
        }

        await using (var after = await fixture.StartGatewayAsync(_dataDirectory, newKey))
        {
            oldAfterRemoval = await NotifyAsync(after, oldBank, "N-r5-" + id, NotificationTests.Paid(id, "T2", 50_000_000));
            newAfterRemoval = await NotifyAsync(after, newBank, "N-r6-" + id, NotificationTests.Paid(id, "T3", 50_000_000));
            var callbacks = await fixture.Platform.WaitForAsync(id, 3).WaitAsync(Timeout);

            Assert.Equal(["decision:Approved", "disbursement:Paid", "disbursement:Paid"], callbacks.Select(c => c.Kind));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, newBeforeConfigured);
        Assert.Equal(HttpStatusCode.OK, oldBefore);
        Assert.Equal(HttpStatusCode.OK, oldDuringOverlap);
        Assert.Equal(HttpStatusCode.OK, newDuringOverlap);
        Assert.Equal(HttpStatusCode.Unauthorized, oldAfterRemoval);
        Assert.Equal(HttpStatusCode.OK, newAfterRemoval);
    }

    private static string Review(string id) => $$"""{"out_biz_no":"{{id}}","decision_no":"R-{{id}}","decision":"REVIEWING"}""";

    private static async Task<HttpStatusCode> NotifyAsync(ConnectorGatewayHost host, GatewayKeyRing bank, string notifyId, string biz)
    {
        var method = biz.Contains("tranche_no", StringComparison.Ordinal) ? "loan.disbursement.notify" : "loan.apply.decided";
        using var response = await TestBank.PostAsync(host.BankFacingAddress, TestBank.Notification(bank, method, notifyId, biz), Timeout);
        return response.StatusCode;
    }
}
