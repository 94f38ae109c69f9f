using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server;

/// <summary>What a quote is computed from.</summary>
/// <param name="Profile">The enterprise's newest stored credit profile under a still-valid consent, or null.</param>
public sealed record QuoteContext(QuoteFinancingRequest Request, CreditProfile? Profile, DateTimeOffset Now);

/// <summary>The bank's financing calculator, behind QuoteFinancing. Register your own to replace <see cref="ReferencePricingPolicy"/>.</summary>
public interface IPricingPolicy
{
    /// <summary>An indicative, non-binding quote. Must fill every field the contract marks as always set.</summary>
    ValueTask<QuoteFinancingResponse> QuoteAsync(QuoteContext context, CancellationToken cancellationToken);
}
