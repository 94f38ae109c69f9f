using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ConnectorKit.Client.Tests.Infrastructure;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Client.Tests.Reliability;

/// <summary>
/// The real client (AddConnectorKitClient) against a real bank through a TCP proxy the test controls: connections torn
/// mid-call and mid-stream, a bank restarted between calls, a bank shutting down gracefully (GOAWAY) with calls in flight.
/// </summary>
public sealed class NetworkFaultTests
{
    private static readonly TimeSpan Timeout = ClientFixture.Timeout;

    [Fact]
    public async Task SubmitApplication_ConnectionResetAfterBankApplied_RetryReturnsSameApplicationAndCreatesOne()
    {
        await using var rig = await Rig.StartAsync();
        rig.Cutter.CutAfter("SubmitApplication");
        var request = SampleData.Submit(SampleData.CreditCode(501));
        request.RequestId = string.Empty;

        var response = await rig.Client.SubmitApplicationAsync(request).WaitAsync(Timeout);

        Assert.Equal(1, rig.Proxy.Resets);
        Assert.Equal(2, rig.Cutter.Calls("SubmitApplication"));
        Assert.Equal(2, rig.Cutter.RequestIds.Count);
        Assert.Single(rig.Cutter.RequestIds.Distinct());
        Assert.Equal(rig.Cutter.RequestIds.First(), response.Application.RequestId);
        Assert.Equal([response.Application.ApplicationId], await rig.StoredApplicationIdsAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetApplicationAndQuoteFinancing_ConnectionResetMidCall_RetriedAndSucceed()
    {
        await using var rig = await Rig.StartAsync();
        var submitted = await rig.Client.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(502))).WaitAsync(Timeout);
        rig.Cutter.CutBefore("GetApplication");
        rig.Cutter.CutBefore("QuoteFinancing");

        var got = await rig.Client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId }).WaitAsync(Timeout);
        var quote = await rig.Client.QuoteFinancingAsync(Quote(502)).WaitAsync(Timeout);

        Assert.Equal(2, rig.Proxy.Resets);
        Assert.Equal(submitted.Application.ApplicationId, got.Application.ApplicationId);
        Assert.Equal(ApplicationState.Submitted, got.Application.State);
        Assert.True(quote.IndicativeLimit.UnitsMinor > 0, "the quote carries a limit");
        Assert.Equal(2, rig.Cutter.Calls("GetApplication"));
        Assert.Equal(2, rig.Cutter.Calls("QuoteFinancing"));
    }

    [Fact]
    public async Task PushCreditProfiles_ConnectionResetMidStream_ChunkResentAndEveryProfileStoredOnce()
    {
        await using var rig = await Rig.StartAsync(o => o.BulkChunkSize = 500);
        const int count = 1500;

        // Past the first chunk (~500 profiles) and well into the second.
        rig.Proxy.ResetAfterUpstreamBytes(await ProfileBytesAsync(750));
        var result = await rig.Client.PushCreditProfilesAsync(Profiles(count)).WaitAsync(Timeout);

        Assert.Equal(1, rig.Proxy.Resets);
        Assert.True(rig.Proxy.Accepted >= 2, "the client reconnected after the reset");
        Assert.Equal(count, result.Applied + result.AppliedByEarlierAttempt);
        Assert.Equal(0, result.Stale);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(3, result.Chunks);
        Assert.Equal(4, result.Attempts);
        var store = rig.Store;
        for (var i = 0; i < count; i++)
        {
            var stored = await store.GetProfileAsync(SampleData.CreditCode(100_000 + i), "platform-sh").WaitAsync(Timeout);
            Assert.Equal(1, stored?.Version);
        }
    }

    [Fact]
    public async Task Calls_BankRestartedBetweenCalls_RetriedAgainstRestartedBankAndSubmitStaysIdempotent()
    {
        await using var rig = await Rig.StartAsync();
        var request = SampleData.Submit(SampleData.CreditCode(503));
        var first = await rig.Client.SubmitApplicationAsync(request).WaitAsync(Timeout);

        await rig.StopBankAsync().WaitAsync(Timeout);
        var getWhileDown = rig.Client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = first.Application.ApplicationId });
        await WaitUntilAsync(() => rig.Proxy.Accepted >= 3, "the client retried against the stopped bank");
        await rig.StartBankAsync().WaitAsync(Timeout);
        var got = await getWhileDown.WaitAsync(Timeout);
        var again = await rig.Client.SubmitApplicationAsync(request).WaitAsync(Timeout);
        var quote = await rig.Client.QuoteFinancingAsync(Quote(503)).WaitAsync(Timeout);

        Assert.Equal(first.Application.ApplicationId, got.Application.ApplicationId);
        Assert.Equal(first, again);
        Assert.True(quote.IndicativeLimit.UnitsMinor > 0, "the quote carries a limit");
        Assert.Equal([first.Application.ApplicationId], await rig.StoredApplicationIdsAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Calls_GracefulShutdownWithCallsInFlight_InFlightCallsFinishAndNewCallsReachRestartedBank()
    {
        await using var rig = await Rig.StartAsync();
        var submitted = await rig.Client.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(504))).WaitAsync(Timeout);
        var getRequest = new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId };
        rig.Cutter.Delay = TimeSpan.FromMilliseconds(800);
        var inFlightGets = Enumerable.Range(0, 4).Select(_ => rig.Client.GetApplicationAsync(getRequest)).ToList();
        var inFlightSubmit = rig.Client.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(505)));
        await WaitUntilAsync(() => rig.Cutter.Started >= 6, "five calls are in flight");

        // Kestrel's graceful stop sends GOAWAY on the open connection, refuses new connections and drains what runs.
        var stopping = rig.StopBankAsync();
        var quoteDuringShutdown = rig.Client.QuoteFinancingAsync(Quote(504));
        await stopping.WaitAsync(Timeout);
        rig.Cutter.Delay = TimeSpan.Zero;
        await rig.StartBankAsync().WaitAsync(Timeout);
        var gets = await Task.WhenAll(inFlightGets).WaitAsync(Timeout);
        var secondSubmit = await inFlightSubmit.WaitAsync(Timeout);
        var quote = await quoteDuringShutdown.WaitAsync(Timeout);

        Assert.All(gets, g => Assert.Equal(submitted.Application.ApplicationId, g.Application.ApplicationId));
        Assert.Equal(4, rig.Cutter.Calls("GetApplication"));
        Assert.Equal(2, rig.Cutter.Calls("SubmitApplication"));
        Assert.True(quote.IndicativeLimit.UnitsMinor > 0, "the quote carries a limit");
        Assert.Equal(
            new[] { submitted.Application.ApplicationId, secondSubmit.Application.ApplicationId }.Order(),
            (await rig.StoredApplicationIdsAsync().WaitAsync(Timeout)).Order());
    }

    private static QuoteFinancingRequest Quote(int enterprise) => new()
    {
        EnterpriseCreditCode = SampleData.CreditCode(enterprise),
        Product = ProductType.ParkGuaranteeLoan,
        RequestedAmount = SampleData.Yuan(5_000_000),
        TermMonths = 36,
        AnnualRevenue = SampleData.Yuan(15_000_000),
    };

    private static async IAsyncEnumerable<CreditProfile> Profiles(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return SampleData.Profile(SampleData.CreditCode(100_000 + i), 1);
        }

        await Task.CompletedTask;
    }

    private static async Task<long> ProfileBytesAsync(int count)
    {
        long bytes = 0;
        await foreach (var profile in Profiles(count))
        {
            bytes += new StreamCreditProfilesRequest { Profile = profile }.CalculateSize() + 5;
        }

        return bytes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(10).WaitAsync(Timeout);
        }
    }

    /// <summary>A bank on SQLite in a temp directory (kept across restarts), the proxy in front of it, and a client of the proxy.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _dataDirectory;
        private readonly ServiceProvider _clientServices;
        private BankServerHost? _bank;

        private Rig(string dataDirectory, ConnectionCutter cutter, BankServerHost bank, TcpFaultProxy proxy, ServiceProvider clientServices)
        {
            _dataDirectory = dataDirectory;
            Cutter = cutter;
            _bank = bank;
            Proxy = proxy;
            _clientServices = clientServices;
        }

        public ConnectionCutter Cutter { get; }

        public TcpFaultProxy Proxy { get; }

        public ConnectorKitBankClient Client => _clientServices.GetRequiredService<IConnectorKitClientFactory>().For(SampleData.BankId);

        public IConnectorKitStore Store => (_bank ?? throw new InvalidOperationException("The bank is stopped.")).Services.GetRequiredService<IConnectorKitStore>();

        public static async Task<Rig> StartAsync(Action<BankConnectionOptions>? configure = null)
        {
            var dataDirectory = Path.Combine(Path.GetTempPath(), "ck-netfault-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dataDirectory);
            var cutter = new ConnectionCutter();
            var bank = await StartBankAsync(dataDirectory, cutter);
            var proxy = new TcpFaultProxy(bank.Address);
            cutter.Cut = proxy.ResetAll;
            var services = new ServiceCollection();
            services.AddConnectorKitClient(o =>
            {
                var connection = new BankConnectionOptions { Address = proxy.Address, DefaultDeadline = TimeSpan.FromSeconds(15) };
                connection.Resilience.MaxRetryAttempts = 40;
                connection.Resilience.BaseDelay = TimeSpan.FromMilliseconds(20);
                connection.Resilience.MaxDelay = TimeSpan.FromMilliseconds(100);
                connection.Resilience.BreakerMinimumThroughput = 1000;
                configure?.Invoke(connection);
                o.Banks[SampleData.BankId] = connection;
            });
            return new Rig(dataDirectory, cutter, bank, proxy, services.BuildServiceProvider(validateScopes: true));
        }

        public async Task StopBankAsync()
        {
            var bank = _bank ?? throw new InvalidOperationException("The bank is stopped.");
            await bank.DisposeAsync();
            _bank = null;
        }

        /// <summary>Starts a bank on the same data; Kestrel picks a new port, so the proxy is pointed at it.</summary>
        public async Task StartBankAsync()
        {
            _bank = await StartBankAsync(_dataDirectory, Cutter);
            Proxy.Target = _bank.Address;
        }

        public async Task<List<string>> StoredApplicationIdsAsync()
        {
            var ids = new List<string>();
            foreach (var state in new[] { ApplicationState.Submitted, ApplicationState.UnderReview })
            {
                ids.AddRange((await Store.ListApplicationsAsync(state, 100)).Select(a => a.ApplicationId));
            }

            return ids;
        }

        public async ValueTask DisposeAsync()
        {
            await _clientServices.DisposeAsync();
            await Proxy.DisposeAsync();
            if (_bank is not null)
            {
                await _bank.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }

        private static Task<BankServerHost> StartBankAsync(string dataDirectory, ConnectionCutter cutter) => BankServerHost.StartAsync(
            o => o.DataDirectory = dataDirectory,
            services => services.Configure<GrpcServiceOptions>(g => g.Interceptors.Add(cutter)));
    }

    /// <summary>A server interceptor that tears the client's connection (through the proxy) before or after a call runs, once per rpc.</summary>
    private sealed class ConnectionCutter : Interceptor
    {
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, bool> _cutAfter = new(StringComparer.Ordinal);
        private int _started;

        public Action Cut { get; set; } = static () => { };

        public TimeSpan Delay { get; set; }

        public int Started => Volatile.Read(ref _started);

        public ConcurrentQueue<string> RequestIds { get; } = new();

        public int Calls(string rpc) => _calls.TryGetValue(rpc, out var n) ? n : 0;

        /// <summary>The next call of <paramref name="rpc"/> is cut before the service sees it.</summary>
        public void CutBefore(string rpc) => _cutAfter[rpc] = false;

        /// <summary>The next call of <paramref name="rpc"/> runs to completion, then its connection is cut before the answer leaves.</summary>
        public void CutAfter(string rpc) => _cutAfter[rpc] = true;

        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var rpc = context.Method[(context.Method.LastIndexOf('/') + 1)..];
            _calls.AddOrUpdate(rpc, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _started);
            if (request is SubmitApplicationRequest submit)
            {
                RequestIds.Enqueue(submit.RequestId);
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.CancellationToken);
            }

            var cut = _cutAfter.TryRemove(rpc, out var after);
            if (cut && !after)
            {
                Cut();
                throw new RpcException(new Status(StatusCode.Unavailable, "injected: connection cut"));
            }

            var response = await continuation(request, context);
            if (cut)
            {
                Cut();
            }

            return response;
        }
    }
}
