using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Connectors;

/// <summary>
/// One bank's connector: it turns the contract into the bank's own API and the bank's own signals back into
/// LoanEvents. The gateway host (<c>AddConnectorKitGateway</c>) serves the contract through exactly one connector,
/// chosen by <see cref="Name"/> in configuration; ConnectorKit.Server does validation, idempotency, consent, the
/// state machine and the callback outbox around it.
/// </summary>
/// <remarks>
/// <see cref="ConfigureServices"/> must register an <see cref="Server.IBankBackend"/> (the bank-side rpcs). It may
/// register an <see cref="Server.IPricingPolicy"/> when the bank quotes online, and hosted services that poll the
/// bank or read its files. Signals reach the platform through <see cref="Server.IBankSignals"/>, which applies each
/// one once however often the bank repeats it.
/// </remarks>
public abstract class BankConnector
{
    /// <summary>The name configuration selects the connector by, e.g. <c>rest-json</c>; lower case, no spaces.</summary>
    public abstract string Name { get; }

    /// <summary>What this connector's bank supports; the conformance suite skips what is declared unsupported.</summary>
    public virtual ConnectorCapabilities Capabilities => ConnectorCapabilities.All;

    /// <summary>Registers the connector's services from its configuration section, <c>ConnectorKit:Connectors:{Name}</c>.</summary>
    public abstract void ConfigureServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>Maps the HTTP endpoints the bank calls: webhooks, asynchronous notifications. None by default.</summary>
    public virtual void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }
}
