using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a connector gateway: the ConnectorKit server in front of one bank connector.</summary>
public static class ConnectorKitGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Serves the contract through the connector named by <c>ConnectorKit:Gateway:Connector</c>, chosen among
    /// <paramref name="available"/>. The server is configured from <c>ConnectorKit:Server</c> and the connector from
    /// <c>ConnectorKit:Connectors:{name}</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No connector is configured, or none of that name is available.</exception>
    public static IServiceCollection AddConnectorKitGateway(this IServiceCollection services, IConfiguration configuration, params BankConnector[] available)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(available);
        var name = configuration[ConnectorKitGatewayOptions.SectionName + ":Connector"];
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidOperationException($"{ConnectorKitGatewayOptions.SectionName}:Connector is required; one of: {Names(available)}.");
        }

        var connector = available.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No connector named '{name}'; this gateway has: {Names(available)}.");
        return services.AddConnectorKitGateway(connector, configuration);
    }

    /// <summary>As above, for a connector chosen in code; configuration sections are the same.</summary>
    public static IServiceCollection AddConnectorKitGateway(this IServiceCollection services, BankConnector connector, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorKitGatewayOptions>().Configure(o => o.Connector = connector.Name);
        services.AddSingleton(connector);
        services.AddConnectorKitServer(configuration.GetSection("ConnectorKit:Server"));
        connector.ConfigureServices(services, configuration.GetSection("ConnectorKit:Connectors:" + connector.Name));
        if (!services.Any(d => d.ServiceType == typeof(ConnectorKit.Server.IBankBackend)))
        {
            throw new InvalidOperationException($"Connector '{connector.Name}' registered no IBankBackend; a connector must forward the contract to its bank.");
        }

        return services;
    }

    private static string Names(BankConnector[] available) => available.Length == 0 ? "(none)" : string.Join(", ", available.Select(c => c.Name));
}
