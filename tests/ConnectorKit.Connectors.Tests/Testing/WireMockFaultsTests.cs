using System.Net;
using System.Text;
using ConnectorKit.Connectors.Testing;

namespace ConnectorKit.Connectors.Tests.Testing;

public sealed class WireMockFaultsTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    private WireMockServer Server => fixture.Server;

    public async Task InitializeAsync()
    {
        await Server.ResetAsync().WaitAsync(Timeout);

        // The bank's own answer, below the faults' priority, for every call on the one URL.
        await Server.AddMappingAsync("""{"priority":5,"request":{"method":"POST","urlPath":"/gateway.do"},"response":{"status":200,"body":"ok"}}""").WaitAsync(Timeout);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task InjectAsync_EndpointWithBodyPattern_FaultsOnlyMatchingCallsUntilCleared()
    {
        var faults = new WireMockFaults(Server, new Dictionary<BankOperation, WireMockEndpoint>
        {
            [BankOperation.Submit] = new(HttpMethod.Post, "/gateway.do", "(.*&)?method=loan\\.apply\\.submit(&.*)?"),
        });
        using var client = fixture.CreateClient();

        await faults.InjectAsync(BankOperation.Submit, BankFault.ServiceUnavailable, CancellationToken.None).WaitAsync(Timeout);
        using var submit = await PostFormAsync(client, "app_id=1&method=loan.apply.submit&biz_content=%7B%7D");
        using var query = await PostFormAsync(client, "app_id=1&method=loan.apply.query&biz_content=%7B%7D");
        await faults.ClearAsync(CancellationToken.None).WaitAsync(Timeout);
        using var after = await PostFormAsync(client, "method=loan.apply.submit");
        var journal = await Server.GetRequestsAsync().WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, submit.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), submit.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal([true, false, false], journal.Select(faults.AnsweredByFault));
    }

    [Fact]
    public async Task InjectAsync_PathOnlyEndpoint_FaultsEveryCallOnThePath()
    {
        var faults = new WireMockFaults(Server, new Dictionary<BankOperation, (HttpMethod, string)> { [BankOperation.Submit] = (HttpMethod.Post, "/gateway.do") });
        using var client = fixture.CreateClient();

        await faults.InjectAsync(BankOperation.Submit, BankFault.TooManyRequests, CancellationToken.None).WaitAsync(Timeout);
        using var query = await PostFormAsync(client, "method=loan.apply.query");
        var unsupported = await Record.ExceptionAsync(() => faults.InjectAsync(BankOperation.Quote, BankFault.TooManyRequests, CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(HttpStatusCode.TooManyRequests, query.StatusCode);
        Assert.IsType<NotSupportedException>(unsupported);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string form)
        => client.PostAsync("gateway.do", new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded")).WaitAsync(Timeout);
}
