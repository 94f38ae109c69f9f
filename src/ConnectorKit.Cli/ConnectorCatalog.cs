using ConnectorKit.Connectors.BatchFile.Testing;
using ConnectorKit.Connectors.OpenPlatform.Testing;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Cli;

/// <summary>The connectors <c>--connector NAME</c> can name, each with the test kit that puts WireMock in front of it.</summary>
internal sealed class ConnectorCatalog(IReadOnlyList<IConnectorTestKit> kits)
{
    /// <summary>The reference connectors shipped with ConnectorKit.</summary>
    public static ConnectorCatalog BuiltIn => new([new RestJsonTestKit(), new OpenPlatformTestKit(), new BatchFileTestKit()]);

    public IReadOnlyList<IConnectorTestKit> Kits => kits;

    public IConnectorTestKit? Find(string name) => kits.FirstOrDefault(k => string.Equals(k.Connector.Name, name, StringComparison.OrdinalIgnoreCase));

    public string Names => kits.Count == 0 ? "(none)" : string.Join(", ", kits.Select(k => k.Connector.Name));
}
