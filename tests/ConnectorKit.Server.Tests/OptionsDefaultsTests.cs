namespace ConnectorKit.Server.Tests;

public sealed class OptionsDefaultsTests
{
    [Fact]
    public void ServerOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new ConnectorKitServerOptions();

        Assert.Equal(StoreKind.Sqlite, options.Store);
        Assert.Equal(CreditCodePolicy.Reject, options.CreditCodePolicy);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ConsentClockSkew);
        Assert.Equal("data", options.DataDirectory);
    }
}
