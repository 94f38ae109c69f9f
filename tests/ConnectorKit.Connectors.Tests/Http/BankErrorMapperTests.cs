using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Connectors.Tests.Testing;
using ConnectorKit.Grpc;
using Google.Rpc;
using static ConnectorKit.Connectors.Tests.Http.BankHttpTestHost;

namespace ConnectorKit.Connectors.Tests.Http;

public sealed class BankErrorMapperTests(WireMockFixture fixture) : IClassFixture<WireMockFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = WireMockFixture.Timeout;

    private WireMockServer Server => fixture.Server;

    public Task InitializeAsync() => Server.ResetAsync().WaitAsync(Timeout);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task MapAsync_ProblemJson422WithCode_InvalidArgumentWithBankCode()
    {
        await Server.AddMappingAsync(new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "POST", ["urlPath"] = "/v1/applications" },
            ["response"] = new JsonObject
            {
                ["status"] = 422,
                ["headers"] = new JsonObject { ["Content-Type"] = "application/problem+json" },
                ["body"] = """{"type":"https://bank.example/problems/amount","title":"Amount out of range","status":422,"detail":"amount exceeds the product limit","code":"AMOUNT_TOO_HIGH"}""",
            },
        }.ToJsonString()).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var response = await host.Client.PostAsync("v1/applications", new StringContent("{}")).WaitAsync(Timeout);

        var error = await BankErrorMapper.MapAsync(response, BankId).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var info = error.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal("AMOUNT_TOO_HIGH", info.Reason);
        Assert.Equal(BankId, info.Domain);
        Assert.Equal("422", info.Metadata[BankErrorMapper.HttpStatusKey]);
        Assert.Equal("amount exceeds the product limit", info.Metadata[BankErrorMapper.BankMessageKey]);
    }

    [Fact]
    public async Task MapAsync_404_NotFound()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/loans/none", 404).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var response = await host.Client.GetAsync("loans/none").WaitAsync(Timeout);

        var error = await BankErrorMapper.MapAsync(response, BankId).WaitAsync(Timeout);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("HTTP_404", error.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task Map_429WithRetryAfter_ResourceExhaustedWithRetryInfo()
    {
        await Server.StubStatusAsync(HttpMethod.Post, "/v1/quotes", 429, retryAfterSeconds: 7).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var response = await host.Client.PostAsync("v1/quotes", new StringContent("{}")).WaitAsync(Timeout);

        var error = BankErrorMapper.Map(response, BankId);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
        Assert.Equal("7", error.GetDetail<ErrorInfo>()?.Metadata[BankErrorMapper.RetryAfterKey]);
    }

    [Fact]
    public async Task Map_401_InternalNotRetryable()
    {
        await Server.StubStatusAsync(HttpMethod.Get, "/loans/1", 401).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);
        using var response = await host.Client.GetAsync("loans/1").WaitAsync(Timeout);

        var error = await BankErrorMapper.MapAsync(response, BankId).WaitAsync(Timeout);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("credentials", error.Status.Detail);
    }

    [Fact]
    public async Task Map_ConnectionReset_Unavailable()
    {
        await Server.StubFaultAsync(HttpMethod.Post, "/v1/applications", WireMockFault.ConnectionResetByPeer).WaitAsync(Timeout);
        await using var host = new BankHttpTestHost(Server);

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(
            () => host.Client.PostAsync("v1/applications", new StringContent("{}")).WaitAsync(Timeout));
        var error = BankErrorMapper.Map(thrown, BankId);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith("CONNECTION_", error.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(BankId, error.GetDetail<ErrorInfo>()?.Domain);
        Assert.Single(await Server.FindRequestsAsync(HttpMethod.Post, "/v1/applications").WaitAsync(Timeout));
    }
}
