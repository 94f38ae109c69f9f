using ConnectorKit.Client.Receiver.Internal;
using ConnectorKit.Client.Tracking;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Client.Tests.Receiver;

public sealed class CallbackOptionsTests
{
    [Fact]
    public async Task StartAsync_NoBankAuthenticationConfigured_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartWithoutTokensAsync(o => o.DataDirectory = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(error.Failures, f => f.Contains("BearerTokens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_PostgresWithoutConnectionString_FailsAtStartUp()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => CallbackHost.StartAsync(o => o.StoreKind = PlatformStoreKind.PostgreSql)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(error.Failures, f => f.Contains("PostgresConnectionString", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("6222 **** **** 1234", true)]
    [InlineData("622212******1234", true)]
    [InlineData("****1234", true)]
    [InlineData("6222 1234 5678 1234", false)]
    [InlineData("6222123*****12345", false)]
    [InlineData("6222  **** 1234", false)]
    [InlineData("", false)]
    public void IsMaskedAccount_VisibleDigits_AtMostFirstSixAndLastFour(string value, bool expected)
    {
        Assert.Equal(expected, LoanEventValidator.IsMaskedAccount(value));
    }

    private static Task<CallbackHost> StartWithoutTokensAsync(Action<Client.Receiver.ConnectorKitCallbackOptions> configure) => CallbackHost.StartAsync(o =>
    {
        o.BearerTokens.Clear();
        configure(o);
    });
}
