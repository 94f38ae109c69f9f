namespace ConnectorKit.Client.Tests;

public sealed class TrackerContractTests
{
    [Fact]
    public void ApplicationTracker_IsPublicInterfaceInClientNamespace()
    {
        var type = typeof(IApplicationTracker);

        Assert.True(type.IsInterface && type.IsPublic);
        Assert.Equal("ConnectorKit.Client", type.Namespace);
    }
}
