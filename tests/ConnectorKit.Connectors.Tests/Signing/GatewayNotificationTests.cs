using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.Tests.Signing;

public sealed class GatewayNotificationTests
{
    private const string Path = "/open-platform/notify";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 30, 0, TimeSpan.Zero);

    private static IReadOnlyList<KeyValuePair<string, string>> Notification(GatewayKeyRing bank, DateTimeOffset sentAt, string appId = "10000001") =>
        GatewaySignature.Sign(bank, Path,
        [
            new("app_id", appId),
            new("method", "loan.apply.decided"),
            new("notify_id", "N-1"),
            new("charset", "utf-8"),
            new("sign_type", "RSA2"),
            new("timestamp", GatewayNotification.FormatTimestamp(sentAt)),
            new("biz_content", """{"out_biz_no":"app-1","decision":"APPROVED"}"""),
        ]);

    [Fact]
    public void FormatTimestamp_UtcInstant_WrittenInChinaTime()
    {
        var text = GatewayNotification.FormatTimestamp(Now);

        Assert.Equal("2026-11-22 09:30:00", text);
    }

    [Fact]
    public void Verify_FreshAndSignedForUs_Valid()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);

        var check = GatewayNotification.Verify(ours, Path, Notification(bank, Now.AddSeconds(-30)), "10000001", TimeSpan.FromMinutes(5), new ManualTimeProvider(Now));

        Assert.Equal(GatewayNotificationStatus.Valid, check.Status);
        Assert.Equal("k0", check.KeyId);
    }

    [Fact]
    public void Verify_OlderThanTolerance_Refused()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);

        var check = GatewayNotification.Verify(ours, Path, Notification(bank, Now.AddMinutes(-6)), "10000001", TimeSpan.FromMinutes(5), new ManualTimeProvider(Now));

        Assert.Equal(GatewayNotificationStatus.OutsideTolerance, check.Status);
    }

    [Fact]
    public void Verify_AnotherAppsNotification_Refused()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);

        var check = GatewayNotification.Verify(ours, Path, Notification(bank, Now, appId: "20000002"), "10000001", TimeSpan.FromMinutes(5), new ManualTimeProvider(Now));

        Assert.Equal(GatewayNotificationStatus.WrongApp, check.Status);
    }

    [Fact]
    public void Verify_BizContentEdited_BadSignature()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        var form = Notification(bank, Now).Select(p => p.Key == "biz_content" ? new KeyValuePair<string, string>(p.Key, p.Value.Replace("APPROVED", "REJECTED", StringComparison.Ordinal)) : p).ToList();

        var check = GatewayNotification.Verify(ours, Path, form, "10000001", TimeSpan.FromMinutes(5), new ManualTimeProvider(Now));

        Assert.Equal(GatewayNotificationStatus.BadSignature, check.Status);
        Assert.Null(check.KeyId);
    }

    [Fact]
    public void Verify_SignedByOurOwnKey_BadSignature()
    {
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);

        var check = GatewayNotification.Verify(ours, Path, Notification(ours, Now), "10000001", TimeSpan.FromMinutes(5), new ManualTimeProvider(Now));

        Assert.Equal(GatewayNotificationStatus.BadSignature, check.Status);
    }
}
