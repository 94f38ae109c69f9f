using System.Globalization;
using System.Net;
using System.Runtime;
using System.Runtime.InteropServices;
using ConnectorKit.Bench.UnaryServers;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage:
//   UnaryServers --mode connectorkit|bare --port N [--report-alloc]
//   UnaryServers --write-fixtures DIR
const string Usage = "usage: UnaryServers --mode connectorkit|bare --port N [--report-alloc] | --write-fixtures DIR";
string? mode = null;
string? fixturesDir = null;
var port = 0;
var reportAlloc = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mode" when i + 1 < args.Length:
            mode = args[++i];
            break;
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--write-fixtures" when i + 1 < args.Length:
            fixturesDir = args[++i];
            break;
        case "--report-alloc":
            reportAlloc = true;
            break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete option {args[i]}. {Usage}");
            return 2;
    }
}

if (fixturesDir is not null)
{
    // h2load sends submit-application-request.grpc as the body of every call; check.js compares answers with the .pb.
    Directory.CreateDirectory(fixturesDir);
    File.WriteAllBytes(Path.Combine(fixturesDir, "submit-application-request.grpc"), LoanFixtures.Frame(LoanFixtures.CreateRequest()));
    File.WriteAllBytes(Path.Combine(fixturesDir, "submit-application-response.pb"), LoanFixtures.CreateResponse().ToByteArray());
    return 0;
}

if (mode is not ("connectorkit" or "bare"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
var counter = new CallCounter(reportAlloc);
builder.Services.AddSingleton(counter);
if (mode == "connectorkit")
{
    builder.Services.AddConnectorKitGrpc();
    builder.Services.AddSingleton<LoanApplicationsBenchService>();
}

await using var app = builder.Build();
if (mode == "connectorkit")
{
    app.MapGrpcService<LoanApplicationsBenchService>();
}
else
{
    var framedResponse = LoanFixtures.Frame(LoanFixtures.CreateResponse());
    app.MapPost(LoanFixtures.SubmitApplicationPath, context => BareGrpc.AnswerAsync(context, framedResponse, counter));
}

await app.StartAsync();
var allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
Console.WriteLine($"LISTENING {new Uri(address).Port}");

// With one core the runtime falls back to workstation GC whatever the setting; the report shows what ran.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RUNTIME {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC ({GCSettings.LatencyMode}), {Environment.ProcessorCount} processor(s) visible"));

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    // Keep the process alive until the report below is written.
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

// SIGUSR1 asks how much the JIT has compiled: run.sh warms up until that stops growing (tier-1 code in place),
// and checks that it stays put while it measures.
const int SigUsr1 = 10;
using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
{
    context.Cancel = true;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"JIT methods={System.Runtime.JitInfo.GetCompiledMethodCount()} ms={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}"));
});
await stop.Task;
if (reportAlloc)
{
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;
    var calls = counter.Calls;
    var perCall = calls == 0 ? 0 : allocated / (double)calls;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ALLOC mode={mode} calls={calls} bytes={allocated} bytes_per_call={perCall:F0} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}"));
}

await app.StopAsync();
return 0;
