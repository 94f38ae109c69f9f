using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.Tests.Testing;

public sealed class WireMockStartTests
{
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    [Fact]
    public async Task StartAsync_JarMissing_ThrowsInvalidOperationNamingTheTestScript()
    {
        var options = new WireMockStartOptions { JarPath = Path.Combine(Path.GetTempPath(), "no-such-wiremock.jar") };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WireMockServer.StartAsync(options).WaitAsync(Timeout));

        Assert.Contains("eng/test.sh", error.Message);
    }

    [Fact]
    public async Task StartAsync_JavaMissing_ThrowsInvalidOperationSayingToInstallJava()
    {
        var jar = Path.GetTempFileName();
        try
        {
            var options = new WireMockStartOptions { JarPath = jar, JavaPath = Path.Combine(Path.GetTempPath(), "no-such-java") };

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WireMockServer.StartAsync(options).WaitAsync(Timeout));

            Assert.Contains("Install Java", error.Message);
        }
        finally
        {
            File.Delete(jar);
        }
    }

    [Fact]
    public async Task StartAsync_JvmArgumentTheJvmRejects_ThrowsWithTheJvmsOwnMessage()
    {
        var options = new WireMockStartOptions();
        options.JvmArguments.Add("-XX:+NoSuchConnectorKitOption");

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => WireMockServer.StartAsync(options).WaitAsync(Timeout));

        Assert.Contains("NoSuchConnectorKitOption", error.Message);
    }

    [Fact]
    public void Connect_RelativeAddress_ThrowsArgumentException()
    {
        var relative = new Uri("wiremock/", UriKind.Relative);

        Assert.Throws<ArgumentException>(() => WireMockServer.Connect(relative));
    }
}
