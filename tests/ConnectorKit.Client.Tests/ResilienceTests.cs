using ConnectorKit.Connectors.Testing;
using System.Diagnostics;
using ConnectorKit.Client.Tests.Infrastructure;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Client.Tests;

public sealed class ResilienceTests
{
    private static readonly TimeSpan Timeout = ClientFixture.Timeout;

    [Fact]
    public async Task SubmitApplication_FirstResponseLost_RetriesWithSameRequestIdAndCreatesOneApplication()
    {
        var tracker = new RecordingTracker();
        await using var fixture = await ClientFixture.StartAsync(clientServices: s => s.AddSingleton<IApplicationTracker>(tracker));
        fixture.Faults.LoseResponses(1);
        var request = SampleData.Submit();
        request.RequestId = string.Empty;

        var response = await fixture.Client.SubmitApplicationAsync(request).WaitAsync(Timeout);

        Assert.Equal(2, fixture.Faults.Calls("SubmitApplication"));
        Assert.Matches("^[A-Za-z0-9._:-]{1,64}$", response.Application.RequestId);
        Assert.Equal(string.Empty, request.RequestId);
        var stored = await fixture.Store.ListApplicationsAsync(ApplicationState.Submitted, 100).WaitAsync(Timeout);
        var underReview = await fixture.Store.ListApplicationsAsync(ApplicationState.UnderReview, 100).WaitAsync(Timeout);
        var all = stored.Concat(underReview).ToList();
        Assert.Single(all);
        Assert.Equal(response.Application.ApplicationId, all[0].ApplicationId);
        Assert.Equal([(SampleData.BankId, response.Application.ApplicationId)], tracker.Recorded);
    }

    [Fact]
    public async Task GetApplication_TransientFailures_RetriedUntilSuccess()
    {
        await using var fixture = await ClientFixture.StartAsync();
        var submitted = await fixture.Client.SubmitApplicationAsync(SampleData.Submit()).WaitAsync(Timeout);
        fixture.Faults.FailBefore(3);

        var response = await fixture.Client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId }).WaitAsync(Timeout);

        Assert.Equal(submitted.Application.ApplicationId, response.Application.ApplicationId);
        Assert.Equal(4, fixture.Faults.Calls("GetApplication"));
    }

    [Fact]
    public async Task PushCreditProfile_ServerSlowerThanDeadline_FailsDeadlineExceededNearDeadlineNotPerAttempt()
    {
        await using var fixture = await ClientFixture.StartAsync(o =>
        {
            o.MethodDeadlines["PushCreditProfile"] = TimeSpan.FromMilliseconds(800);
            o.Resilience.MaxRetryAttempts = 4;
        });
        fixture.Faults.Delay = TimeSpan.FromSeconds(5);
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.ValidCode, 1) }).WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(2500));
    }

    [Fact]
    public async Task PushCreditProfile_ServerAlwaysUnavailable_RetriesWithinOneDeadlineThenDeadlineExceeded()
    {
        await using var fixture = await ClientFixture.StartAsync(o =>
        {
            o.DefaultDeadline = TimeSpan.FromMilliseconds(800);
            o.Resilience.MaxRetryAttempts = 1000;
            o.Resilience.MaxDelay = TimeSpan.FromMilliseconds(100);
        });
        fixture.Faults.AlwaysUnavailable = true;
        fixture.Faults.Delay = TimeSpan.FromMilliseconds(20);
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.ValidCode, 1) }).WaitAsync(Timeout));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(2500));
        Assert.True(fixture.Faults.Calls("PushCreditProfile") > 2);
    }

    [Fact]
    public async Task PushCreditProfile_RepeatedUnavailable_BreakerOpensFailsFastThenRecovers()
    {
        await using var fixture = await ClientFixture.StartAsync(o =>
        {
            o.Resilience.MaxRetryAttempts = 0;
            o.Resilience.BreakerMinimumThroughput = 2;
            o.Resilience.BreakerFailureRatio = 0.5;
            o.Resilience.BreakerBreakDuration = TimeSpan.FromMilliseconds(500);
        });
        var client = fixture.Client;
        PushCreditProfileRequest Push() => new() { Profile = SampleData.Profile(SampleData.ValidCode, 1) };
        fixture.Faults.AlwaysUnavailable = true;
        await Assert.ThrowsAsync<RpcException>(() => client.PushCreditProfileAsync(Push()).WaitAsync(Timeout));
        await Assert.ThrowsAsync<RpcException>(() => client.PushCreditProfileAsync(Push()).WaitAsync(Timeout));
        var callsWhenOpened = fixture.Faults.Calls("PushCreditProfile");

        var open = await Assert.ThrowsAsync<RpcException>(() => client.PushCreditProfileAsync(Push()).WaitAsync(Timeout));
        fixture.Faults.AlwaysUnavailable = false;
        await Task.Delay(TimeSpan.FromMilliseconds(700)).WaitAsync(Timeout);
        var recovered = await client.PushCreditProfileAsync(Push()).WaitAsync(Timeout);

        Assert.Equal(2, callsWhenOpened);
        Assert.Equal(StatusCode.Unavailable, open.StatusCode);
        Assert.Contains("circuit breaker", open.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ProfileOutcome.Applied, recovered.Outcome);
        Assert.Equal(3, fixture.Faults.Calls("PushCreditProfile"));
    }

    [Fact]
    public async Task SubmitApplication_InvalidArgument_SurfacesAtOnceWithBadRequest()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.SubmitApplicationAsync(SampleData.Submit(SampleData.BadCheckCode)).WaitAsync(Timeout));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest.FieldViolations, v => v.Field.Contains("credit_code", StringComparison.Ordinal));
        Assert.Equal(1, fixture.Faults.Calls("SubmitApplication"));
    }

    [Fact]
    public async Task GetApplication_NotFound_NotRetried()
    {
        await using var fixture = await ClientFixture.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-unknown" }).WaitAsync(Timeout));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(1, fixture.Faults.Calls("GetApplication"));
    }

    [Fact]
    public async Task PushCreditProfile_OverConcurrencyLimit_FailsResourceExhaustedWithoutReachingServer()
    {
        await using var fixture = await ClientFixture.StartAsync(o => o.Resilience.MaxConcurrentCalls = 1);
        fixture.Faults.Delay = TimeSpan.FromMilliseconds(500);
        var first = fixture.Client.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.ValidCode, 1) });

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Client.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(SampleData.OtherValidCode, 1) }).WaitAsync(Timeout));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(ProfileOutcome.Applied, (await first.WaitAsync(Timeout)).Outcome);
        Assert.Equal(1, fixture.Faults.Calls("PushCreditProfile"));
    }

    [Fact]
    public async Task GetApplication_BankAtItsRateLimit_WaitsTheDelayTheBankNamesAndSucceeds()
    {
        // Five calls a second with no burst: back-to-back calls are refused for 200 ms each. The client's own back-off
        // (10 ms doubling, two retries) would give up within 30 ms; only waiting as RetryInfo says gets every call through.
        await using var fixture = await ClientFixture.StartAsync(
            o =>
            {
                o.Resilience.MaxRetryAttempts = 2;
                o.Resilience.MaxDelay = TimeSpan.FromSeconds(2);
            },
            bankOptions: b =>
            {
                b.RateLimit.CallsPerSecond = 5;
                b.RateLimit.Burst = 1;
            });
        var submitted = await fixture.Client.SubmitApplicationAsync(SampleData.Submit()).WaitAsync(Timeout);
        var request = new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId };

        var answers = new List<GetApplicationResponse>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await fixture.Client.GetApplicationAsync(request).WaitAsync(Timeout));
        }

        Assert.All(answers, a => Assert.Equal(submitted.Application.ApplicationId, a.Application.ApplicationId));
        Assert.Equal(3, fixture.Faults.Calls("GetApplication"));
    }

    private sealed class RecordingTracker : IApplicationTracker
    {
        public List<(string BankId, string ApplicationId)> Recorded { get; } = [];

        public Task RecordSubmittedAsync(string bankId, Application application, DateTimeOffset submittedAt, CancellationToken cancellationToken = default)
        {
            lock (Recorded)
            {
                Recorded.Add((bankId, application.ApplicationId));
            }

            return Task.CompletedTask;
        }
    }
}
