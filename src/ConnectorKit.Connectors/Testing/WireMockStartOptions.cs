namespace ConnectorKit.Connectors.Testing;

/// <summary>How <see cref="WireMockServer.StartAsync"/> finds and starts the WireMock standalone jar.</summary>
public sealed class WireMockStartOptions
{
    /// <summary>The name of the environment variable that may point at the jar.</summary>
    public const string JarEnvironmentVariable = "CONNECTORKIT_WIREMOCK_JAR";

    /// <value>
    /// The standalone jar. Default: <c>CONNECTORKIT_WIREMOCK_JAR</c>, else
    /// <c>tools/node_modules/wiremock/build/wiremock-standalone-*.jar</c> in the repository holding ConnectorKit.sln
    /// above <see cref="AppContext.BaseDirectory"/>.
    /// </value>
    public string? JarPath { get; set; }

    /// <value>The java executable. Default: <c>$JAVA_HOME/bin/java</c> when it exists, else <c>java</c> from PATH.</value>
    public string? JavaPath { get; set; }

    /// <value>How long to wait for <c>/__admin/health</c> to answer. Default: 60 seconds (a cold JVM takes a few).</value>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <value>
    /// Options for the JVM, before <c>-jar</c>. Default: none (the JVM's own defaults). A short run that mostly waits
    /// for start-up can pass <c>-XX:TieredStopAtLevel=1 -XX:+UseSerialGC</c>: about half the start-up, less peak speed.
    /// </value>
    public IList<string> JvmArguments { get; } = [];

    /// <value>More WireMock command-line flags, after the ones the harness sets (port, bind address, root dir).</value>
    public IList<string> ExtraArguments { get; } = [];
}
