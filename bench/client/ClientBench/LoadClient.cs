using System.Diagnostics;
using System.Globalization;
using ConnectorKit.Bench.UnaryServers;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;

namespace ConnectorKit.Bench.Client;

/// <summary>
/// One channel, <c>concurrency</c> calls kept in flight, for a warm-up and then a measured phase. Counts calls
/// that ended OK with the expected response and the process's own CPU time (user + system, all threads).
/// </summary>
internal static class LoadClient
{
    public static async Task<int> RunAsync(int port, int concurrency, double warmupSeconds, double measureSeconds)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        var request = LoanFixtures.CreateRequest();
        var expected = LoanFixtures.CreateResponse();

        // The first answer is compared whole; later ones by the fields a caller would look at, as check.js-style
        // deep comparison would cost more than the call (the Node client does the same).
        var first = await client.SubmitApplicationAsync(request);
        if (!first.Equals(expected))
        {
            Console.Error.WriteLine("The first response differs from LoanFixtures.CreateResponse().");
            return 1;
        }

        var counters = new Counters(expected.Application);
        using var stop = new CancellationTokenSource();
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(client, request, counters, stop.Token));
        }

        await Task.Delay(TimeSpan.FromSeconds(warmupSeconds));
        var process = Process.GetCurrentProcess();
        var (ok0, bad0) = counters.Read();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var gen0 = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromSeconds(measureSeconds));

        var (ok1, bad1) = counters.Read();
        process.Refresh();
        var cpu1 = process.TotalProcessorTime;
        var wall = clock.Elapsed.TotalSeconds;
        var alloc1 = GC.GetTotalAllocatedBytes(precise: false);
        var gen1 = GC.CollectionCount(0);
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        var calls = ok1 - ok0;
        var cpu = (cpu1 - cpu0).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT client=connectorkit concurrency={concurrency} calls={calls} failed={bad1 - bad0} wall_s={wall:F3} cpu_s={cpu:F3} alloc_per_call={(calls == 0 ? 0 : (alloc1 - alloc0) / (double)calls):F0} gen0={gen1 - gen0} failed_total={bad1}"));
        return bad1 == 0 ? 0 : 1;
    }

    private static async Task WorkAsync(LoanApplicationsService.LoanApplicationsServiceClient client, SubmitApplicationRequest request, Counters counters, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await client.SubmitApplicationAsync(request);
                counters.Count(response);
            }
            catch (RpcException ex)
            {
                counters.Fail(ex.Status);
            }
        }
    }

    private sealed class Counters(Application expected)
    {
        private long _ok;
        private long _bad;
        private int _reported;

        public void Count(SubmitApplicationResponse response)
        {
            var application = response.Application;
            if (application is not null
                && application.ApplicationId == expected.ApplicationId
                && application.RequestId == expected.RequestId
                && application.State == expected.State
                && application.Timeline.Count == expected.Timeline.Count)
            {
                Interlocked.Increment(ref _ok);
            }
            else
            {
                Interlocked.Increment(ref _bad);
            }
        }

        public void Fail(Status status)
        {
            Interlocked.Increment(ref _bad);
            if (Interlocked.Exchange(ref _reported, 1) == 0)
            {
                Console.Error.WriteLine($"call failed: {status.StatusCode} {status.Detail}");
            }
        }

        public (long Ok, long Bad) Read() => (Interlocked.Read(ref _ok), Interlocked.Read(ref _bad));
    }
}
