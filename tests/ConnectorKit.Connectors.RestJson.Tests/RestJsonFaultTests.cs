using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Connectors.RestJson.Tests;

/// <summary>
/// The bank's faults on the submit: each gives its documented status, and every POST that reached the bank for one
/// application, retries and the platform's later retry included, carries the same Idempotency-Key.
/// </summary>
public sealed class RestJsonFaultTests(FaultGatewayFixture fixture) : IClassFixture<FaultGatewayFixture>, IAsyncLifetime
{
    private const string Applications = "/v1/loan-applications";
    private static readonly TimeSpan Timeout = RestJsonGatewayFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetBankAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(WireMockFault.ConnectionResetByPeer, 3)]
    [InlineData(WireMockFault.EmptyResponse, 3)]
    [InlineData(WireMockFault.MalformedResponseChunk, 1)]
    [InlineData(WireMockFault.RandomDataThenClose, 3)]
    public async Task SubmitApplication_NetworkFault_UnavailableAndOneKeyAtTheBank(WireMockFault fault, int postsBeforeGivingUp)
    {
        var request = SampleData.Submit();
        var stub = await fixture.Bank.StubFaultAsync(HttpMethod.Post, Applications, fault).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var attempts = (await fixture.Bank.FindRequestsAsync(HttpMethod.Post, Applications).WaitAsync(Timeout)).Count;
        var recovered = await RetryAfterTheBankRecoversAsync(request, stub);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(postsBeforeGivingUp, attempts);
        await AssertOneKeyAtTheBankAsync(recovered, minimumPosts: postsBeforeGivingUp + 1);
    }

    [Fact]
    public async Task SubmitApplication_BankSlowerThanTotalTimeout_DeadlineExceededAndOneKeyAtTheBank()
    {
        var request = SampleData.Submit();
        var stub = await fixture.Bank.StubDelayAsync(HttpMethod.Post, Applications, FaultGatewayFixture.TotalTimeout * 2).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var recovered = await RetryAfterTheBankRecoversAsync(request, stub);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await AssertOneKeyAtTheBankAsync(recovered, minimumPosts: 2);
    }

    [Theory]
    [InlineData(429, StatusCode.ResourceExhausted)]
    [InlineData(503, StatusCode.Unavailable)]
    public async Task SubmitApplication_RetryAfterLongerThanAllowed_MappedWithRetryAfterAndNotRetried(int status, StatusCode expected)
    {
        var request = SampleData.Submit();
        await fixture.Bank.StubStatusAsync(HttpMethod.Post, Applications, status, retryAfterSeconds: 30).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var posts = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, Applications).WaitAsync(Timeout);

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal("30", error.GetDetail<ErrorInfo>()?.Metadata["retry_after"]);
        Assert.Single(posts);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task SubmitApplication_RetryAfterOneSecondThenCreated_SucceedsWithOneKey(int status)
    {
        var request = SampleData.Submit();
        await fixture.Bank.AddMappingAsync($$$"""
            {"priority":1,"scenarioName":"busy-{{{status}}}","requiredScenarioState":"Started","newScenarioState":"free",
             "request":{"method":"POST","urlPath":"{{{Applications}}}"},
             "response":{"status":{{{status}}},"headers":{"Retry-After":"1","Content-Type":"application/problem+json"},
                         "jsonBody":{"title":"Busy","status":{{{status}}},"code":"BUSY"} } }
            """).WaitAsync(Timeout);

        var submitted = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        var posts = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, Applications).WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Submitted, submitted.Application.State);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal(submitted.Application.ApplicationId, p.Headers["Idempotency-Key"]));
        Assert.True(posts[1].LoggedDate - posts[0].LoggedDate >= TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After");
    }

    /// <summary>Clears the fault and lets the platform retry the same request, as it would after UNAVAILABLE.</summary>
    private async Task<string> RetryAfterTheBankRecoversAsync(SubmitApplicationRequest request, Guid fault)
    {
        await fixture.RemoveMappingAsync(fault).WaitAsync(Timeout);
        var submitted = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);
        return submitted.Application.ApplicationId;
    }

    private async Task AssertOneKeyAtTheBankAsync(string applicationId, int minimumPosts)
    {
        var posts = await fixture.Bank.FindRequestsAsync(HttpMethod.Post, Applications).WaitAsync(Timeout);
        Assert.True(posts.Count >= minimumPosts, $"{posts.Count} POSTs reached the bank");
        Assert.All(posts, p => Assert.Equal(applicationId, p.Headers["Idempotency-Key"]));
        Assert.All(posts, p => Assert.Contains(applicationId, p.Body, StringComparison.Ordinal));
    }
}
