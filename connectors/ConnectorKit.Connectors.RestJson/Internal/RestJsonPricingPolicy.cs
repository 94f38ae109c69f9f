using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;

namespace ConnectorKit.Connectors.RestJson.Internal;

/// <summary>QuoteFinancing answered by the bank's own calculator (<c>POST /v1/quotes</c>).</summary>
internal sealed class RestJsonPricingPolicy(RestJsonBankApi api) : IPricingPolicy
{
    public async ValueTask<QuoteFinancingResponse> QuoteAsync(QuoteContext context, CancellationToken cancellationToken)
    {
        var quote = await api.QuoteAsync(BankMapping.ToBank(context), cancellationToken).ConfigureAwait(false);
        return BankMapping.FromBank(quote);
    }
}
