using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ConnectorKit.Bench.ConnectorOverhead;
using ConnectorKit.Connectors.RestJson.Testing;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Security;

// The connector overhead benchmark. One process hosts the rest-json connector behind the gateway
// (ConnectorGatewayHost, configured as the conformance suite configures it) and drives two paths against the same
// WireMock JVM, one call at a time:
//   connector: a gRPC call to the gateway, which makes its bank request(s) to WireMock;
//   direct:    the bank request(s) the connector made for that operation, captured from WireMock's journal and
//              replayed with HttpClient (same path, headers and body; a fresh external id per submit).
// Writes DIR/overhead.md (the tables) and DIR/overhead.env (figures for run.sh). Exit 1 when a call returns a
// wrong answer or the harness fails; a slow figure is not a failure.
var calls = Arg("--calls", 3000);
var warmup = Arg("--warmup", 2000);
var rounds = Arg("--rounds", 5);
var outDir = ArgText("--out-dir", "artifacts/bench/connectors");
Directory.CreateDirectory(outDir);
var perBlock = Math.Max(1, calls / rounds);

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i > 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string ArgText(string name, string fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i > 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

const string BankId = "bench-bank";
var token = "bench-platform-token-0123456789abcdef";
// --store-dir puts the gateway's SQLite store elsewhere, e.g. on tmpfs (/dev/shm), to see what its disk writes cost.
var storeParent = ArgText("--store-dir", Path.GetTempPath());
var work = Directory.CreateTempSubdirectory("ck-bench-connectors-").FullName;
var storeDir = Path.Combine(storeParent, "ck-bench-store-" + Guid.NewGuid().ToString("N")[..8]);
var kit = new RestJsonTestKit();
// The JVM's own defaults (C2 and its default collector), not the quick-start flags of a conformance run: the bank's
// stand-in should answer as fast as it can, so that the direct path is a fair floor.
var wireMockOptions = new WireMockStartOptions();
await using var wireMock = await WireMockServer.StartAsync(wireMockOptions);
await using var platform = await CallbackRecorder.StartAsync();
await wireMock.LoadMappingsFromDirectoryAsync(kit.MappingsDirectory);
var settings = new Dictionary<string, string?>(kit.Settings(wireMock.BaseAddress, work))
{
    ["ConnectorKit:Server:BankId"] = BankId,
    ["ConnectorKit:Server:DataDirectory"] = storeDir,
    ["ConnectorKit:Server:Platform:Address"] = platform.Address.ToString(),
    [$"ConnectorKit:Server:Authentication:BearerTokens:{token}"] = "platform-bench",
    // The test kit's short time-outs make its fault cases quick; here a cold first call on a busy machine may take
    // seconds, and no call is meant to time out.
    ["ConnectorKit:Connectors:rest-json:Http:Timeout"] = "00:00:30",
    ["ConnectorKit:Connectors:rest-json:Http:TotalTimeout"] = "00:01:00",
};
await using var gateway = await ConnectorGatewayHost.StartAsync(kit.Connector, settings);
using var channel = gateway.CreateChannel();
var invoker = channel.CreateCallInvoker().Intercept(new BearerTokenInterceptor(token));
var loans = new LoanApplicationsService.LoanApplicationsServiceClient(invoker);
var credit = new CreditDataService.CreditDataServiceClient(invoker);
using var bankHttp = new HttpClient { BaseAddress = wireMock.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
var wireMockPid = JvmProcess.FindListening(wireMock.BaseAddress.Port);

var code = SampleData.CreditCode(4242);
long version = 0;
CreditProfile NextProfile() => SampleData.Profile(code, ++version, SampleData.Consent(code, ConsentScope.CreditProfile, bankId: BankId));
SubmitApplicationRequest NextSubmit()
{
    var submit = SampleData.Submit(code);
    submit.Consent = SampleData.Consent(code, ConsentScope.LoanApplication, bankId: BankId);
    return submit;
}

// The quote reads the enterprise's profile, and GetApplication needs an application: one of each first.
Check.That((await credit.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = NextProfile() })).Outcome == ProfileOutcome.Applied, "first profile applied");
var known = (await loans.SubmitApplicationAsync(NextSubmit())).Application.ApplicationId;
var quoteRequest = new QuoteFinancingRequest
{
    EnterpriseCreditCode = code,
    Product = ProductType.ParkGuaranteeLoan,
    RequestedAmount = SampleData.Yuan(3_000_000),
    TermMonths = 36,
    AnnualRevenue = SampleData.Yuan(15_000_000),
};

// The direct path fetches the token once, as the connector's cache does (it lives an hour, longer than the run).
var bearer = await DirectToken(bankHttp);

var operations = new List<Operation>
{
    new("SubmitApplication", "POST /v1/loan-applications", async () =>
    {
        var response = await loans.SubmitApplicationAsync(NextSubmit());
        Check.That(response.Application is { State: ApplicationState.Submitted } a && a.ApplicationId.Length > 0 && a.Timeline.Count > 0, "submit: SUBMITTED with an id and a timeline");
    }),
    new("GetApplication", null, async () =>
    {
        var response = await loans.GetApplicationAsync(new GetApplicationRequest { ApplicationId = known });
        Check.That(response.Application is { State: ApplicationState.Submitted } a && a.ApplicationId == known, "get: the application, SUBMITTED");
    }),
    new("QuoteFinancing", "POST /v1/quotes", async () =>
    {
        var response = await loans.QuoteFinancingAsync(quoteRequest);
        Check.That(response.AnnualRateBp == 385 && response.IndicativeLimit?.UnitsMinor == 320_000_050 && response.SubsidyCapBp > 0, "quote: the bank's limit and rate");
    }),
    new("PushCreditProfile", "POST /v1/credit-profiles", async () =>
    {
        var response = await credit.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = NextProfile() });
        Check.That(response.Outcome == ProfileOutcome.Applied && response.StoredVersion == version, "push: applied at the pushed version");
    }),
};

Console.Error.WriteLine($"warm-up: {warmup} calls per operation and path; measured: {perBlock * rounds} calls per operation and path in {rounds} rounds");
foreach (var op in operations)
{
    for (var i = 0; i < warmup; i++)
    {
        await op.Connector();
    }

    // What the connector sends the bank for one call of this operation, to replay on the direct path.
    await ClearJournal(wireMock);
    await op.Connector();
    var sent = await wireMock.GetRequestsAsync();
    op.BankRequestsPerCall = sent.Count;
    if (op.BankRequest is not null)
    {
        var request = sent.SingleOrDefault(r => $"{r.Method} {r.Url}" == op.BankRequest)
            ?? throw new InvalidOperationException($"{op.Name}: the connector did not send {op.BankRequest}; it sent: {string.Join(", ", sent.Select(r => r.Method + " " + r.Url))}");
        op.Direct = Replay.Of(bankHttp, request, bearer, op.Name == "SubmitApplication");
        for (var i = 0; i < warmup; i++)
        {
            await op.Direct();
        }
    }
}

// Then more warm-up rounds over everything until the JIT has settled: on a busy machine tiered compilation replaces
// tier-0 code late, and a fixed warm-up would measure the JIT instead of the connector.
var warmupRounds = 0;
long jitInRound;
do
{
    var before = System.Runtime.JitInfo.GetCompiledMethodCount();
    foreach (var op in operations)
    {
        for (var i = 0; i < Math.Max(100, warmup / 4); i++)
        {
            await op.Connector();
            if (op.Direct is not null)
            {
                await op.Direct();
            }
        }
    }

    jitInRound = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
    warmupRounds++;
    Console.Error.WriteLine($"settling round {warmupRounds}: the JIT compiled {jitInRound} methods");
}
while (jitInRound > 20 && warmupRounds < 8);

var jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
var ours = new[] { Environment.ProcessId, wireMockPid };
var noise = new NoiseMeter(ours);
for (var round = 0; round < rounds; round++)
{
    foreach (var op in operations)
    {
        await Measure(op.ConnectorRun, op.Connector, op);
        if (op.Direct is not null)
        {
            await Measure(op.DirectRun, op.Direct, op);
        }
    }
}

var otherPercent = noise.OtherPercent();
var jitMeasured = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore;

async Task Measure(Run run, Func<Task> call, Operation op)
{
    await ClearJournal(wireMock);
    var cpu0 = JvmProcess.CpuTicks(Environment.ProcessId);
    var wm0 = JvmProcess.CpuTicks(wireMockPid);
    for (var i = 0; i < perBlock; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        run.Samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    run.DriverTicks += JvmProcess.CpuTicks(Environment.ProcessId) - cpu0;
    run.WireMockTicks += JvmProcess.CpuTicks(wireMockPid) - wm0;
    run.BankRequests += await CountJournal(wireMock);
    _ = op;
}

// Results.
var md = new StringBuilder();
md.AppendLine("| operation | path | p50 ms | p90 ms | p99 ms | bank requests / call | .NET process CPU µs / call | WireMock CPU µs / call |");
md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
var env = new StringBuilder();
double worstAdded = double.MinValue;
var worstOp = "";
foreach (var op in operations)
{
    md.AppendLine(Row(op.Name, "connector (gRPC → gateway → WireMock)", op.ConnectorRun));
    md.AppendLine(op.Direct is null
        ? $"| {op.Name} | direct (HttpClient → WireMock) | — | — | — | 0 (the gateway answers from its store) | — | — |"
        : Row(op.Name, $"direct: `{op.BankRequest}`", op.DirectRun));
}

md.AppendLine();
md.AppendLine("| operation | connector p50 ms | direct p50 ms | added p50 ms | connector / direct p50 | added .NET CPU µs / call |");
md.AppendLine("|---|---:|---:|---:|---:|---:|");
foreach (var op in operations)
{
    var c = op.ConnectorRun.Percentile(50);
    var d = op.Direct is null ? 0 : op.DirectRun.Percentile(50);
    var added = c - d;
    var addedCpu = op.ConnectorRun.DriverMicrosPerCall - (op.Direct is null ? 0 : op.DirectRun.DriverMicrosPerCall);
    md.AppendLine(CultureInfo.InvariantCulture, $"| {op.Name} | {c:F3} | {(op.Direct is null ? "0 (no bank request)" : d.ToString("F3", CultureInfo.InvariantCulture))} | **{added:F3}** | {(op.Direct is null ? "—" : (c / d).ToString("F2", CultureInfo.InvariantCulture) + " ×")} | {addedCpu:F0} |");
    env.AppendLine(CultureInfo.InvariantCulture, $"added_p50_{op.Name}={added:F3}");
    if (added > worstAdded)
    {
        worstAdded = added;
        worstOp = op.Name;
    }
}

env.AppendLine(CultureInfo.InvariantCulture, $"worst_added_p50={worstAdded:F3}");
env.AppendLine(CultureInfo.InvariantCulture, $"worst_added_op={worstOp}");
env.AppendLine(CultureInfo.InvariantCulture, $"other_cpu_percent={otherPercent:F0}");
env.AppendLine(CultureInfo.InvariantCulture, $"calls_per_path={perBlock * rounds}");
env.AppendLine(CultureInfo.InvariantCulture, $"settling_rounds={warmupRounds}");
env.AppendLine(CultureInfo.InvariantCulture, $"settling_last_jit={jitInRound}");
env.AppendLine(CultureInfo.InvariantCulture, $"jit_during_measured={jitMeasured}");
env.AppendLine(CultureInfo.InvariantCulture, $"warmup={warmup}");
env.AppendLine(CultureInfo.InvariantCulture, $"rounds={rounds}");
await File.WriteAllTextAsync(Path.Combine(outDir, "overhead.md"), md.ToString());
await File.WriteAllTextAsync(Path.Combine(outDir, "overhead.env"), env.ToString());
Console.Write(md);
Console.Write(env);
try
{
    Directory.Delete(work, recursive: true);
    Directory.Delete(storeDir, recursive: true);
}
catch (IOException)
{
    // The gateway's store may still be closing; the temp folder goes with the OS's clean-up.
}

return 0;

static string Row(string name, string path, Run run) => string.Create(
    CultureInfo.InvariantCulture,
    $"| {name} | {path} | {run.Percentile(50):F3} | {run.Percentile(90):F3} | {run.Percentile(99):F3} | {(double)run.BankRequests / run.Samples.Count:F2} | {run.DriverMicrosPerCall:F0} | {run.WireMockMicrosPerCall:F0} |");

static async Task<string> DirectToken(HttpClient http)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "oauth2/token")
    {
        Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "applications profiles quotes")]),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("ck-test:ck-secret-0123456789")));
    using var response = await http.SendAsync(request);
    var body = await response.Content.ReadAsStringAsync();
    Check.That(response.IsSuccessStatusCode, "token endpoint: " + body);
    return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
}

static async Task ClearJournal(WireMockServer wireMock)
{
    using var http = new HttpClient { BaseAddress = wireMock.BaseAddress };
    using var response = await http.DeleteAsync("__admin/requests");
    response.EnsureSuccessStatusCode();
}

static async Task<int> CountJournal(WireMockServer wireMock)
{
    using var http = new HttpClient { BaseAddress = wireMock.BaseAddress };
    using var response = await http.PostAsync("__admin/requests/count", new StringContent("{\"method\":\"ANY\",\"urlPattern\":\".*\"}", Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("count").GetInt32();
}
