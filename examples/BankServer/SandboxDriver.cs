using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Server;
using ConnectorKit.Server.Services;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Examples.BankServer;

/// <summary>
/// The conformance driver of the reference bank: POST /sandbox/applications/{id}/approve, /reject and
/// /disbursements make the bank decide or pay as its back office would. Each command is a bank signal with a
/// key, so the same command sent twice has one effect: 200 the first time, 200 with "duplicate" after.
/// 404: unknown application; 409: the state does not allow it; 401: wrong token.
/// </summary>
public static class SandboxDriver
{
    public static void MapSandboxDriver(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/sandbox/applications/{applicationId}").AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<SandboxOptions>>().Value;
            var sent = context.HttpContext.Request.Headers.Authorization.ToString();
            var expected = "Bearer " + options.Token;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected))
                ? await next(context)
                : Results.Unauthorized();
        });

        group.MapPost("/approve", (string applicationId, ApproveCommand command, IBankSignals signals, CancellationToken ct) => ApplyAsync(() => signals.ApproveAsync(
            [$"sandbox:decision:{applicationId}"],
            applicationId,
            new ApprovedTerms
            {
                Amount = new Money { UnitsMinor = command.AmountFen, CurrencyCode = "CNY" },
                AnnualRateBp = command.AnnualRateBp,
                TermMonths = command.TermMonths,
            },
            ct)));

        group.MapPost("/reject", (string applicationId, RejectCommand command, IBankSignals signals, CancellationToken ct) => ApplyAsync(() => signals.RejectAsync(
            [$"sandbox:decision:{applicationId}"],
            applicationId,
            new Rejection { ReasonCodes = { command.ReasonCode }, Message = "rejected in the sandbox" },
            ct)));

        group.MapPost("/disbursements", (string applicationId, DisburseCommand command, IBankSignals signals, IOptions<SandboxOptions> options, CancellationToken ct) => ApplyAsync(() => signals.DisburseAsync(
            [$"sandbox:tranche:{applicationId}:{command.TrancheId}"],
            applicationId,
            new Money { UnitsMinor = command.AmountFen, CurrencyCode = "CNY" },
            options.Value.ReceivingAccount,
            cancellationToken: ct)));
    }

    private static async Task<IResult> ApplyAsync(Func<Task<SignalResult>> signal)
    {
        try
        {
            var result = await signal();
            return Results.Ok(new { state = result.Application.State.ToContractName(), duplicate = result.Duplicate });
        }
        catch (ApplicationNotFoundException ex)
        {
            return Results.NotFound(new { error = ex.Message });
        }
        catch (ApplicationTransitionException ex)
        {
            return Results.Conflict(new { error = ex.Message });
        }
        catch (ArgumentException ex)
        {
            return Results.BadRequest(new { error = ex.Message });
        }
    }

    public sealed record ApproveCommand(
        [property: JsonPropertyName("amount_fen")] long AmountFen,
        [property: JsonPropertyName("annual_rate_bp")] int AnnualRateBp,
        [property: JsonPropertyName("term_months")] int TermMonths);

    public sealed record RejectCommand([property: JsonPropertyName("reason_code")] string ReasonCode);

    public sealed record DisburseCommand(
        [property: JsonPropertyName("tranche_id")] string TrancheId,
        [property: JsonPropertyName("amount_fen")] long AmountFen);
}
