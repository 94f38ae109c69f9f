using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConnectorKit.Bench.UnaryServers;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using Google.Protobuf;

namespace ConnectorKit.Bench.Client;

/// <summary>
/// BenchmarkDotNet with MemoryDiagnoser: bytes allocated per unary call of the ConnectorKit client against the bare
/// Kestrel server (another process, which run.sh starts, so its allocations are not counted), and per parse of the
/// response message, which is what any client must allocate for the message itself.
/// </summary>
internal static class AllocationBenchmark
{
    public static int Run(int port, bool quick, string? artifacts)
    {
        UnaryCallBenchmarks.Port = port;

        // In-process: no generated project to build, and the bounded job keeps the whole run around a minute.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(quick ? 2 : 5)
            .WithIterationCount(quick ? 3 : 8)
            .WithInvocationCount(quick ? 2048 : 16384)
            .WithUnrollFactor(16)
            .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Throughput)
            .WithId(quick ? "quick" : "bounded");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(CsvExporter.Default, MarkdownExporter.GitHub)
            .WithArtifactsPath(artifacts ?? Path.Combine(Path.GetTempPath(), "clientbench-bdn"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<UnaryCallBenchmarks>(config);
        if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0 || summary.Reports.Any(r => !r.Success))
        {
            return 1;
        }

        // One machine-readable line per benchmark for bench/client/run.sh.
        foreach (var report in summary.Reports)
        {
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1;
            var ns = report.ResultStatistics?.Median ?? double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BDN method={report.BenchmarkCase.Descriptor.WorkloadMethod.Name} allocated_bytes={bytes} median_ns={ns:F0}"));
        }

        return 0;
    }
}

[MemoryDiagnoser]
public class UnaryCallBenchmarks
{
    internal static int Port { get; set; }

    private GrpcChannel? _channel;
    private LoanApplicationsService.LoanApplicationsServiceClient? _client;
    private SubmitApplicationRequest _request = null!;
    private byte[] _responseBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Port}");
        _client = new LoanApplicationsService.LoanApplicationsServiceClient(_channel);
        _request = LoanFixtures.CreateRequest();
        _responseBytes = LoanFixtures.CreateResponse().ToByteArray();
        if (!_client.SubmitApplicationAsync(_request).ResponseAsync.GetAwaiter().GetResult().Equals(LoanFixtures.CreateResponse()))
        {
            throw new InvalidOperationException("the server's response differs from LoanFixtures.CreateResponse()");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _channel?.Dispose();

    /// <summary>One SubmitApplication call, awaited: everything the client allocates for it, on every thread.</summary>
    [Benchmark]
    public async Task<SubmitApplicationResponse> UnaryCall() => await _client!.SubmitApplicationAsync(_request);

    /// <summary>The message alone: parsing the 144-byte response, which a call cannot avoid.</summary>
    [Benchmark(Baseline = true)]
    public SubmitApplicationResponse ParseResponse() => SubmitApplicationResponse.Parser.ParseFrom(_responseBytes);
}
