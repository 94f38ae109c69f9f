using System.Net.Http.Headers;
using System.Net.Http.Json;
using ConnectorKit.Client;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>
/// Fills a bank's callback outbox: applications submitted over gRPC, then approved and paid in tranches through the
/// sandbox driver, each step one committed state change with one callback event. While nobody listens on the
/// platform's port, every event stays pending.
/// </summary>
public static class EventBacklog
{
    private const int Workers = 8;

    /// <summary>
    /// Creates <paramref name="applications"/> applications with 1 + <paramref name="tranches"/> events each, recording
    /// each submission with the platform's tracker as a platform does (the receiver refuses events on unknown applications).
    /// </summary>
    public static async Task CreateAsync(BankProcess bank, IApplicationTracker tracker, int applications, int tranches, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(bank.GrpcAddress);
        var loans = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        var auth = new Metadata { { "authorization", "Bearer " + BankProcess.PlatformToken } };
        using var driver = new HttpClient { BaseAddress = bank.DriverAddress };
        driver.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BankProcess.DriverToken);

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < applications)
            {
                var request = SampleData.Submit(SampleData.CreditCode(n), requestId: $"REQ-{n:D6}", amountYuan: 1_000_000);
                request.Consent.GranteeBankId = BankProcess.BankId;
                var submitted = await loans.SubmitApplicationAsync(request, new CallOptions(auth, cancellationToken: cancellationToken)).ResponseAsync;
                await tracker.RecordSubmittedAsync(BankProcess.BankId, submitted.Application, DateTimeOffset.UtcNow, cancellationToken);
                var id = submitted.Application.ApplicationId;
                await PostAsync(driver, $"applications/{id}/approve", new { amount_fen = 100_000_000L, annual_rate_bp = 385, term_months = 36 }, cancellationToken);
                for (var t = 0; t < tranches; t++)
                {
                    await PostAsync(driver, $"applications/{id}/disbursements", new { tranche_id = $"T{t}", amount_fen = 100_000_000L / tranches }, cancellationToken);
                }
            }
        }));
    }

    private static async Task PostAsync(HttpClient driver, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await driver.PostAsJsonAsync(path, body, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
