using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Conformance.Tests.ConnectorMode;

/// <summary>A connector's kit with another connector of the same name in its place: how the tests break one on purpose.</summary>
internal sealed class SwappedKit(IConnectorTestKit inner, BankConnector connector) : IConnectorTestKit
{
    public BankConnector Connector => connector;

    public string MappingsDirectory => inner.MappingsDirectory;

    public IReadOnlyDictionary<string, string?> Settings(Uri bankAddress, string workDirectory) => inner.Settings(bankAddress, workDirectory);

    public IConnectorTestBank CreateBank(ConnectorTestEnvironment environment) => inner.CreateBank(environment);
}
