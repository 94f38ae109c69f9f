namespace ConnectorKit.Connectors.Hosting;

/// <summary>The gateway host's own settings, bound from <c>ConnectorKit:Gateway</c>.</summary>
public sealed class ConnectorKitGatewayOptions
{
    /// <summary>The configuration section of the gateway.</summary>
    public const string SectionName = "ConnectorKit:Gateway";

    /// <summary>The <see cref="BankConnector.Name"/> to serve. Required.</summary>
    public string Connector { get; set; } = string.Empty;
}
