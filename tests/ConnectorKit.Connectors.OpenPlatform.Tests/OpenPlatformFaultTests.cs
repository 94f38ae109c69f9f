using System.Diagnostics;
using System.Text.Json;
using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

/// <summary>A bank time-out of 1 s, so "slower than the deadline" costs seconds, not tens of them.</summary>
public sealed class FaultFixture : OpenPlatformFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["ConnectorKit:Connectors:open-platform:Http:Timeout"] = "00:00:01";
        settings["ConnectorKit:Connectors:open-platform:Http:TotalTimeout"] = "00:00:01";
    }
}

/// <summary>
/// The fault table of the README: each fault at the gateway gives its gRPC status, stores nothing, never files a
/// second application (every submit carries the one out_biz_no), and a later retry of the same request goes through.
/// </summary>
public sealed class OpenPlatformFaultTests(FaultFixture fixture) : IClassFixture<FaultFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = OpenPlatformFixture.Timeout;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    // 429 is refused before processing, so resending is safe; every other fault leaves the outcome unknown, and the
    // only further calls are queries (which fail the same way).
    public static TheoryData<string, StatusCode, int> NetworkFaults => new()
    {
        { "delay", StatusCode.DeadlineExceeded, 1 },
        { "429", StatusCode.ResourceExhausted, 2 },
        { "503", StatusCode.Unavailable, 1 },
        { nameof(WireMockFault.ConnectionResetByPeer), StatusCode.Unavailable, 1 },
        { nameof(WireMockFault.EmptyResponse), StatusCode.Unavailable, 1 },
        { nameof(WireMockFault.MalformedResponseChunk), StatusCode.Unavailable, 1 },
        { nameof(WireMockFault.RandomDataThenClose), StatusCode.Unavailable, 1 },
    };

    [Theory]
    [MemberData(nameof(NetworkFaults))]
    public async Task SubmitApplication_GatewayFault_DocumentedStatusOneOutBizNoAndRetrySucceeds(string fault, StatusCode expected, int submitCount)
    {
        var request = SampleData.Submit();
        await StubAsync(fault).WaitAsync(Timeout);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var submits = await fixture.CallsAsync("loan.apply.submit");
        var queries = await fixture.CallsAsync("loan.apply.query");
        await fixture.ResetAsync();
        var retried = await fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal(submitCount, submits.Count);
        Assert.Equal(submitCount == 1 ? 2 : 0, queries.Count);
        Assert.All(submits, s => Assert.Equal(retried.Application.ApplicationId, OutBizNo(s)));
        Assert.Equal(submits.Count, submits.Select(s => s["msg_id"]).Distinct().Count());
        Assert.Single(await fixture.CallsAsync("loan.apply.submit"));
        Assert.Equal(ApplicationState.Submitted, retried.Application.State);
    }

    [Fact]
    public async Task SubmitApplication_429WithRetryAfter_WaitedForThenResourceExhaustedWithRetryInfo()
    {
        await fixture.Bank.StubStatusAsync(HttpMethod.Post, TestBank.GatewayPath, 429, retryAfterSeconds: 1).WaitAsync(Timeout);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("1", error.GetDetail<ErrorInfo>()?.Metadata["retry_after"]);
        Assert.Equal(TimeSpan.FromSeconds(1), error.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan());
        Assert.Equal(2, (await fixture.CallsAsync("loan.apply.submit")).Count);
        Assert.Empty(await fixture.CallsAsync("loan.apply.query"));
    }

    [Fact]
    public async Task SubmitApplication_RetryAfterBeyondMaxRetryAfter_NotWaitedForAndSentOnce()
    {
        await fixture.Bank.StubStatusAsync(HttpMethod.Post, TestBank.GatewayPath, 429, retryAfterSeconds: 120).WaitAsync(Timeout);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout));

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("120", error.GetDetail<ErrorInfo>()?.Metadata["retry_after"]);
        Assert.Single(await fixture.CallsAsync("loan.apply.submit"));
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("missing")]
    [InlineData("content-edited")]
    public async Task SubmitApplication_AnswerSignatureBad_UnavailableNeverSuccess(string kind)
    {
        var request = SampleData.Submit();
        var good = TestBank.SignedAnswer("""{"apply_no":"AP9","status":"ACCEPTED","return_code":0,"return_msg":"success"}""");
        var body = kind switch
        {
            "wrong-key" => TestBank.SignedAnswer("""{"apply_no":"AP9","status":"ACCEPTED","return_code":0,"return_msg":"success"}""", TestBank.ConnectorPrivatePem),
            "missing" => """{"response_biz_content":{"apply_no":"AP9","status":"ACCEPTED","return_code":0,"return_msg":"success"}}""",
            _ => good.Replace("\"return_msg\":\"success\"", "\"return_msg\":\"succesS\"", StringComparison.Ordinal),
        };
        await fixture.StubAsync("loan.apply.submit", OpenPlatformFixture.Answer(body));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout));
        var submits = await fixture.CallsAsync("loan.apply.submit");

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("RESPONSE_SIGNATURE_INVALID", error.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal(2, submits.Count);
        Assert.Single(submits.Select(OutBizNo).Distinct());
        Assert.Equal(2, (await fixture.CallsAsync("loan.apply.query")).Count);
    }

    [Theory]
    [InlineData(10001, StatusCode.InvalidArgument, "BAD_BUSINESS_PARAMETER", 1)]
    [InlineData(10002, StatusCode.FailedPrecondition, "NO_PROFILE_OR_CONSENT", 1)]
    [InlineData(20001, StatusCode.AlreadyExists, "DUPLICATE_OUT_BIZ_NO", 1)]
    [InlineData(90001, StatusCode.Internal, "GATEWAY_BAD_PARAMETER", 1)]
    [InlineData(90002, StatusCode.Internal, "GATEWAY_CLOCK_SKEW", 1)]
    [InlineData(90003, StatusCode.Internal, "GATEWAY_SIGNATURE_FAILED", 1)]
    [InlineData(90004, StatusCode.PermissionDenied, "GATEWAY_NOT_PERMITTED", 1)]
    [InlineData(90005, StatusCode.ResourceExhausted, "GATEWAY_RATE_LIMITED", 2)]
    [InlineData(90006, StatusCode.ResourceExhausted, "GATEWAY_CONCURRENCY_LIMITED", 2)]
    [InlineData(-90007, StatusCode.Unavailable, "GATEWAY_PROXY_TIMEOUT", 2)]
    [InlineData(-1, StatusCode.Unavailable, "OUTCOME_UNKNOWN", 2)]
    public async Task SubmitApplication_ReturnCode_MappedStatusAndReasonAndSubmitCount(int code, StatusCode expected, string reason, int submits)
    {
        await fixture.StubAsync("loan.apply.submit", OpenPlatformFixture.Answer(TestBank.SignedAnswer($$"""{"return_code":{{code}},"return_msg":"bank says no"}""")));

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Applications.SubmitApplicationAsync(SampleData.Submit()).ResponseAsync.WaitAsync(Timeout));

        Assert.Equal(expected, error.StatusCode);
        var info = error.GetDetail<ErrorInfo>();
        Assert.Equal(reason, info?.Reason);
        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), info?.Metadata["return_code"]);
        Assert.Equal("bank says no", info?.Metadata["bank_message"]);
        Assert.Equal(submits, (await fixture.CallsAsync("loan.apply.submit")).Count);
        Assert.Equal(code < 0 ? submits : 0, (await fixture.CallsAsync("loan.apply.query")).Count);
    }

    private Task StubAsync(string fault) => fault switch
    {
        "delay" => fixture.Bank.StubDelayAsync(HttpMethod.Post, TestBank.GatewayPath, TimeSpan.FromSeconds(2)),
        "429" => fixture.Bank.StubStatusAsync(HttpMethod.Post, TestBank.GatewayPath, 429, retryAfterSeconds: 1),
        "503" => fixture.Bank.StubStatusAsync(HttpMethod.Post, TestBank.GatewayPath, 503, retryAfterSeconds: 1),
        _ => fixture.Bank.StubFaultAsync(HttpMethod.Post, TestBank.GatewayPath, Enum.Parse<WireMockFault>(fault)),
    };

    private static string? OutBizNo(Dictionary<string, string> form)
    {
        using var biz = JsonDocument.Parse(form["biz_content"]);
        return biz.RootElement.GetProperty("out_biz_no").GetString();
    }
}
