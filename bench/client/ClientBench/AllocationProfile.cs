using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using ConnectorKit.Bench.UnaryServers;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf;

namespace ConnectorKit.Bench.Client;

/// <summary>
/// Where a unary call's bytes go: exact bytes per call (all threads) over sequential calls, and the runtime's
/// allocation samples (GCAllocationTick, one per ~100 KB allocated) grouped by type, from an in-process EventListener.
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync(int port, int calls)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new LoanApplicationsService.LoanApplicationsServiceClient(channel);
        var request = LoanFixtures.CreateRequest();
        var responseBytes = LoanFixtures.CreateResponse().ToByteArray();

        for (var i = 0; i < Math.Max(2000, calls / 5); i++)
        {
            await client.SubmitApplicationAsync(request);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            await client.SubmitApplicationAsync(request);
        }

        var perCall = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;

        before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            SubmitApplicationResponse.Parser.ParseFrom(responseBytes);
        }

        var messages = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;

        var floor = await TransportFloorAsync(port, calls);

        using (var listener = new AllocationListener())
        {
            for (var i = 0; i < calls; i++)
            {
                await client.SubmitApplicationAsync(request);
            }

            Console.WriteLine("Allocation samples by type (bytes sampled, share):");
            var total = listener.Bytes.Values.Sum();
            foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(30))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes,12:N0}  {100.0 * bytes / total,5:F1} %  {type}"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PROFILE calls={calls} bytes_per_call={perCall:F0} message_bytes={messages:F0} beyond_messages={perCall - messages:F0} transport_floor={floor:F0}"));
        return 0;
    }

    /// <summary>
    /// The least any client on SocketsHttpHandler allocates for the same exchange: a plain HttpMessageInvoker posting
    /// the precomputed frame with the gRPC headers, reading the body into a reused buffer and the grpc-status trailer.
    /// No gRPC runtime and no protobuf.
    /// </summary>
    private static async Task<double> TransportFloorAsync(int port, int calls)
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });
        var uri = new Uri($"http://127.0.0.1:{port}{LoanFixtures.SubmitApplicationPath}");
        var framed = LoanFixtures.Frame(LoanFixtures.CreateRequest());
        var buffer = new byte[4096];

        async Task OneAsync()
        {
            var content = new ByteArrayContent(framed);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = content };
            request.Headers.TryAddWithoutValidation("TE", "trailers");
            using var response = await invoker.SendAsync(request, CancellationToken.None);
            var stream = response.Content.ReadAsStream();
            while (await stream.ReadAsync(buffer) > 0)
            {
            }

            if (!response.TrailingHeaders.NonValidated.TryGetValues("grpc-status", out var status) || status.ToString() != "0")
            {
                throw new InvalidOperationException("no grpc-status 0");
            }
        }

        for (var i = 0; i < Math.Max(2000, calls / 5); i++)
        {
            await OneAsync();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            await OneAsync();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
    }

    private sealed class AllocationListener : EventListener
    {
        public ConcurrentDictionary<string, long> Bytes { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick at Verbose
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }

            var type = "?";
            long amount = 0;
            for (var i = 0; i < eventData.PayloadNames.Count; i++)
            {
                switch (eventData.PayloadNames[i])
                {
                    case "TypeName":
                        type = eventData.Payload![i] as string ?? "?";
                        break;
                    case "AllocationAmount64":
                        amount = Convert.ToInt64(eventData.Payload![i], CultureInfo.InvariantCulture);
                        break;
                }
            }

            Bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }
}
