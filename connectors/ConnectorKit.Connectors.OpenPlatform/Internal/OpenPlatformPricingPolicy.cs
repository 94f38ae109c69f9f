using System.Text.Json;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>QuoteFinancing answered by the bank's loan.quote.calculate.</summary>
internal sealed class OpenPlatformPricingPolicy(
    GatewayCaller caller,
    IOptions<OpenPlatformOptions> options,
    IOptions<ConnectorKitServerOptions> server) : IPricingPolicy
{
    public async ValueTask<QuoteFinancingResponse> QuoteAsync(QuoteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await caller.CallAsync("loan.quote.calculate", BizContent.Quote(context), cancellationToken).ConfigureAwait(false);
        if (result.Outcome != AttemptOutcome.Success)
        {
            throw result.Error!;
        }

        var c = result.Content!.Value;
        if (!BizContent.TryInt64(c, "limit_amount", out var limit) || !BizContent.TryInt64(c, "annual_rate_bp", out var rate))
        {
            throw RichStatus.WithErrorInfo(
                StatusCode.Unavailable, "The bank's quote lacks limit_amount or annual_rate_bp as integers.", "RESPONSE_MALFORMED", server.Value.BankId);
        }

        BizContent.TryInt64(c, "guarantee_fee_bp", out var fee);
        BizContent.TryInt64(c, "subsidy_cap_bp", out var subsidy);
        var validUntil = BizContent.TryReadTime(c, "valid_until", options.Value.TimestampUtcOffset, out var until)
            ? until
            : context.Now.AddDays(1);

        var response = new QuoteFinancingResponse
        {
            IndicativeLimit = new Money { UnitsMinor = limit, CurrencyCode = BizContent.Text(c, "currency") ?? "CNY" },
            AnnualRateBp = checked((int)rate),
            GuaranteeFeeBp = checked((int)fee),
            SubsidyCapBp = checked((int)subsidy),
            ValidUntil = Timestamp.FromDateTimeOffset(validUntil),
        };
        response.Explanations.AddRange(BizContent.Strings(c, "explanations").Take(20));
        return response;
    }
}
