namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// What it takes to run a connector against a WireMock standing in for its bank: the mappings, the settings that
/// point the connector at WireMock, and the bank's side (its signals, its journal, its faults). Each connector
/// package ships one, so its own tests and the conformance suite drive it the same way.
/// </summary>
public interface IConnectorTestKit
{
    BankConnector Connector { get; }

    /// <summary>The folder of WireMock mapping files that model the bank.</summary>
    string MappingsDirectory { get; }

    /// <summary>
    /// The connector's settings, as keys under <c>ConnectorKit:Connectors:{name}:</c> (full keys), for a bank at
    /// <paramref name="bankAddress"/> and scratch files under <paramref name="workDirectory"/>.
    /// </summary>
    IReadOnlyDictionary<string, string?> Settings(Uri bankAddress, string workDirectory);

    /// <summary>The bank's side, once the gateway runs.</summary>
    IConnectorTestBank CreateBank(ConnectorTestEnvironment environment);
}

/// <summary>The bank as a test sees it: it decides and pays out (driver), shows what reached it (journal), and misbehaves on demand (faults).</summary>
public interface IConnectorTestBank : IBankDriver, IBankJournal, IBankFaults;

/// <summary>What a test bank can reach: WireMock, the running gateway, the scratch folder.</summary>
public sealed record ConnectorTestEnvironment(WireMockServer WireMock, ConnectorGatewayHost Gateway, string WorkDirectory);
