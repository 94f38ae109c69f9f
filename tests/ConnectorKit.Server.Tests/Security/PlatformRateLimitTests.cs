using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Security;
using ConnectorKit.Server.Tests.Infrastructure;
using Google.Rpc;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Server.Tests.Security;

/// <summary>The per-platform rate limit of a bank hosted with AddConnectorKitServer, over real HTTP/2.</summary>
public sealed class PlatformRateLimitTests : IDisposable
{
    private const string TokenA = "token-platform-a-0001";
    private const string TokenB = "token-platform-b-0002";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-ratelimit-" + Guid.NewGuid().ToString("N"));
    private readonly SteppingClock _clock = new();

    [Fact]
    public async Task Calls_AboveOnePlatformsBurst_ResourceExhaustedWithRetryInfoWhileTheOtherPlatformIsServed()
    {
        await using var bank = await StartAsync(callsPerSecond: 1, burst: 3);
        var clientA = Client(bank, TokenA);
        var clientB = Client(bank, TokenB);

        var admittedA = await CountAdmittedAsync(clientA, 3);
        var refused = await Assert.ThrowsAsync<RpcException>(() => GetUnknownAsync(clientA)).WaitAsync(Timeout);
        var admittedB = await CountAdmittedAsync(clientB, 3);

        Assert.Equal(3, admittedA);
        Assert.Equal(3, admittedB);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("rate limit", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(PlatformRateLimitInterceptor.Reason, refused.GetDetail<ErrorInfo>()?.Reason);
        var retryDelay = refused.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
        Assert.NotNull(retryDelay);
        Assert.InRange(retryDelay.Value, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Call_AfterTheRetryDelayItWasGiven_Admitted()
    {
        await using var bank = await StartAsync(callsPerSecond: 2, burst: 1);
        var client = Client(bank, TokenA);
        await CountAdmittedAsync(client, 1);
        var refused = await Assert.ThrowsAsync<RpcException>(() => GetUnknownAsync(client)).WaitAsync(Timeout);

        _clock.Advance(refused.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan());
        var admitted = await CountAdmittedAsync(client, 1);

        Assert.Equal(1, admitted);
    }

    [Fact]
    public async Task SubmitApplication_Refused_StoresNothing()
    {
        await using var bank = await StartAsync(callsPerSecond: 1, burst: 1);
        var client = Client(bank, TokenA);
        await CountAdmittedAsync(client, 1);
        var request = SampleData.Submit();

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.SubmitApplicationAsync(request).ResponseAsync).WaitAsync(Timeout);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var lookup = await Assert.ThrowsAsync<RpcException>(() => client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = ApplicationIdOf(request) }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task Health_PlatformAboveItsLimit_StillAnswers()
    {
        await using var bank = await StartAsync(callsPerSecond: 1, burst: 1);
        using var channel = bank.CreateChannel(TokenA);
        var client = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        await CountAdmittedAsync(client, 1);
        await Assert.ThrowsAsync<RpcException>(() => GetUnknownAsync(client)).WaitAsync(Timeout);

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Calls_NoLimitConfigured_NeverRefused()
    {
        await using var bank = await StartAsync(callsPerSecond: 0, burst: 0);
        var client = Client(bank, TokenA);

        var admitted = await CountAdmittedAsync(client, 50);

        Assert.Equal(50, admitted);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private Task<BankServerHost> StartAsync(double callsPerSecond, int burst)
        => BankServerHost.StartAsync(
            options =>
            {
                options.DataDirectory = _dataDirectory;
                options.Authentication.BearerTokens[TokenA] = "platform-a";
                options.Authentication.BearerTokens[TokenB] = "platform-b";
                options.RateLimit.CallsPerSecond = callsPerSecond;
                options.RateLimit.Burst = burst;
            },
            services => services.AddSingleton<TimeProvider>(_clock));

    private static LoanApplicationsService.LoanApplicationsServiceClient Client(BankServerHost bank, string token)
        => new(bank.CreateChannel(token));

    private static Task GetUnknownAsync(LoanApplicationsService.LoanApplicationsServiceClient client)
        => client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "APP-NOSUCHAPPLICATION000000000" }).ResponseAsync;

    /// <summary>Makes <paramref name="calls"/> calls; counts those that got past the limit to the service (which answers NOT_FOUND).</summary>
    private static async Task<int> CountAdmittedAsync(LoanApplicationsService.LoanApplicationsServiceClient client, int calls)
    {
        var admitted = 0;
        for (var i = 0; i < calls; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => GetUnknownAsync(client)).WaitAsync(Timeout);
            if (error.StatusCode == StatusCode.NotFound)
            {
                admitted++;
            }
        }

        return admitted;
    }

    private static string ApplicationIdOf(SubmitApplicationRequest request)
        => ConnectorKit.Server.Services.LoanApplicationsServiceImpl.ApplicationIdFor("platform-a", request.RequestId);

    /// <summary>Real time plus an offset the test adds to, for wall-clock and monotonic readings alike.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _offsetTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

        public override long GetTimestamp()
            => base.GetTimestamp() + (long)(Interlocked.Read(ref _offsetTicks) * (TimestampFrequency / (double)TimeSpan.TicksPerSecond));
    }
}
