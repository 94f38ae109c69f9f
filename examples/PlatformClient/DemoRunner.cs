using System.Net;
using System.Security.Cryptography;
using ConnectorKit.Client;
using ConnectorKit.Client.Receiver;
using ConnectorKit.Client.Tracking;
using ConnectorKit.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ConnectorKit.Examples.PlatformClient;

/// <summary>What the demo does and where it keeps its data.</summary>
public sealed class DemoOptions
{
    public int Enterprises { get; set; } = 40;

    public string DataDirectory { get; set; } = Path.Combine(".ck-data", "demo");

    public int Seed { get; set; } = 20261122;

    /// <summary>Line-by-line output instead of live progress bars (automatic when the output is redirected).</summary>
    public bool Plain { get; set; } = Console.IsOutputRedirected;

    /// <summary>How long to wait for every application to settle.</summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// The main job: the reference bank and the platform side on loopback, SQLite under the data directory, a batch of
/// enterprises from nothing to disbursed loans, and a summary of what happened and how fast.
/// </summary>
public sealed class DemoRunner(DemoOptions options)
{
    private const string BankId = "reference-bank";
    private const string PlatformId = "platform-demo";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var data = Path.GetFullPath(options.DataDirectory);
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        Directory.CreateDirectory(data);
        var bankToPlatformToken = NewToken();
        var platformToBankToken = NewToken();
        var handler = new DemoEventHandler();

        Say($"[bold]ConnectorKit demo[/]: {options.Enterprises} enterprises, reference bank and platform on loopback, SQLite in {Markup.Escape(data)}");
        await using var platform = await StartPlatformAsync(Path.Combine(data, "platform"), bankToPlatformToken, handler);
        await using var bank = await BankProcess.StartAsync(
            BankId,
            Path.Combine(data, "bank"),
            platform.Address,
            new Dictionary<string, string>
            {
                ["ConnectorKit__Server__Platform__BearerToken"] = bankToPlatformToken,
                ["ConnectorKit__Server__Authentication__BearerTokens__" + platformToBankToken] = PlatformId,
            },
            cancellationToken);
        Say($"Reference bank on {bank.Address}, platform callbacks on {platform.Address}");

        await using var clientServices = new ServiceCollection()
            .AddLogging()
            .AddSingleton(platform.Services.GetRequiredService<IApplicationTracker>())
            .AddConnectorKitClient(o => o.Banks[BankId] = new BankConnectionOptions { Address = bank.Address, BearerToken = platformToBankToken })
            .BuildServiceProvider();
        var client = clientServices.GetRequiredService<IConnectorKitClientFactory>().For(BankId);

        var generator = new EnterpriseGenerator(options.Seed);
        var now = DateTimeOffset.UtcNow;
        var enterprises = Enumerable.Range(1, options.Enterprises).Select(i => generator.Next(i, BankId, now)).ToList();
        var applicationIds = new List<string>();

        await Progress(async progress =>
        {
            var push = progress("Credit profiles pushed", enterprises.Count);
            var pushed = await client.PushCreditProfilesAsync(Profiles(enterprises), new Progress<BulkPushProgress>(p => push(p.Acknowledged)), cancellationToken);
            push(enterprises.Count);

            var quote = progress("Quotes received", enterprises.Count);
            var quotes = 0;
            foreach (var enterprise in enterprises)
            {
                await client.QuoteFinancingAsync(new QuoteFinancingRequest
                {
                    EnterpriseCreditCode = enterprise.Profile.Enterprise.CreditCode,
                    Product = enterprise.Product,
                    RequestedAmount = new Money { UnitsMinor = enterprise.RequestedYuan * 100, CurrencyCode = "CNY" },
                    TermMonths = enterprise.TermMonths,
                    AnnualRevenue = enterprise.Profile.Enterprise.AnnualRevenue,
                }, cancellationToken);
                quote(++quotes);
            }

            var submit = progress("Applications submitted", enterprises.Count);
            foreach (var enterprise in enterprises)
            {
                var response = await client.SubmitApplicationAsync(EnterpriseGenerator.SubmitFor(enterprise, requestId: string.Empty), cancellationToken);
                applicationIds.Add(response.Application.ApplicationId);
                submit(applicationIds.Count);
            }

            var decided = progress("Decisions received", enterprises.Count);
            var settled = progress("Applications settled (rejected, asked for more, or paid in full)", enterprises.Count);
            var deadline = DateTime.UtcNow + options.SettleTimeout;
            while (DateTime.UtcNow < deadline)
            {
                decided(handler.States.Count);
                var count = applicationIds.Count(handler.IsSettled);
                settled(count);
                if (count == applicationIds.Count)
                {
                    break;
                }

                await Task.Delay(100, cancellationToken);
            }

            _ = pushed;
        });

        var allSettled = applicationIds.All(handler.IsSettled);
        await PrintSummaryAsync(platform.Services, client, applicationIds, handler, cancellationToken);
        if (!allSettled)
        {
            Say($"[red]Not every application settled within {options.SettleTimeout.TotalSeconds:0} s.[/]");
            return 1;
        }

        return 0;
    }

    private static async IAsyncEnumerable<CreditProfile> Profiles(IEnumerable<GeneratedEnterprise> enterprises)
    {
        foreach (var enterprise in enterprises)
        {
            yield return enterprise.Profile;
        }

        await Task.CompletedTask;
    }

    private async Task PrintSummaryAsync(IServiceProvider platformServices, ConnectorKitBankClient client, List<string> applicationIds, DemoEventHandler handler, CancellationToken cancellationToken)
    {
        var approved = handler.ApprovedFen.Count;
        var rejected = handler.States.Values.Count(s => s == ApplicationState.Rejected);
        var moreInfo = handler.States.Values.Count(s => s == ApplicationState.MoreInfoRequired);
        var report = await platformServices.GetRequiredService<IApplicationTimelines>().GetServiceLevelReportAsync(cancellationToken: cancellationToken);

        foreach (var id in applicationIds.Take(3))
        {
            var application = (await client.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }, cancellationToken)).Application;
            Say($"[bold]{Markup.Escape(id)}[/] {Markup.Escape(application.Product.ToString())}, {Yuan(application.RequestedAmount.UnitsMinor)} requested");
            foreach (var entry in application.Timeline)
            {
                Say($"  {entry.At.ToDateTimeOffset():HH:mm:ss.fff}  {entry.State,-16} {Markup.Escape(entry.Note)}");
            }
        }

        var table = new Table().AddColumn("summary").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("applications", applicationIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("approved", approved.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("rejected", rejected.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("more information asked", moreInfo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("approved amount", Yuan(handler.ApprovedFen.Values.Sum()));
        table.AddRow("disbursed amount", Yuan(handler.DisbursedFen));
        table.AddRow("time to decision, median / p95", $"{Ms(report.TimeToDecision.Median)} / {Ms(report.TimeToDecision.P95)}");
        table.AddRow("time to money, median / p95", $"{Ms(report.TimeToMoney.Median)} / {Ms(report.TimeToMoney.P95)}");
        if (options.Plain)
        {
            foreach (var row in new (string, string)[]
            {
                ("applications", applicationIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("approved", approved.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("rejected", rejected.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("more information asked", moreInfo.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("approved amount", Yuan(handler.ApprovedFen.Values.Sum())),
                ("disbursed amount", Yuan(handler.DisbursedFen)),
                ("time to decision, median / p95", $"{Ms(report.TimeToDecision.Median)} / {Ms(report.TimeToDecision.P95)}"),
                ("time to money, median / p95", $"{Ms(report.TimeToMoney.Median)} / {Ms(report.TimeToMoney.P95)}"),
            })
            {
                Console.WriteLine($"{row.Item1}: {row.Item2}");
            }
        }
        else
        {
            AnsiConsole.Write(table);
        }
    }

    private async Task<PlatformHost> StartPlatformAsync(string dataDirectory, string bankToken, DemoEventHandler handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton<ILoanEventHandler>(handler);
        builder.Services.AddConnectorKitCallbacks(o =>
        {
            o.DataDirectory = dataDirectory;
            o.BearerTokens[bankToken] = BankId;
        });
        var app = builder.Build();
        app.MapConnectorKitCallbacks();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new PlatformHost(app, new Uri(address));
    }

    private async Task Progress(Func<Func<string, int, Action<long>>, Task> body)
    {
        if (options.Plain)
        {
            await body((name, total) =>
            {
                var last = -1L;
                return value =>
                {
                    if (value == total && last != total)
                    {
                        Console.WriteLine($"{name}: {value}/{total}");
                    }

                    last = value;
                };
            });
            return;
        }

        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context => await body((name, total) =>
            {
                var task = context.AddTask(name, maxValue: total);
                return value => task.Value = Math.Min(value, total);
            }));
    }

    private void Say(string markup)
    {
        if (options.Plain)
        {
            Console.WriteLine(Markup.Remove(markup));
        }
        else
        {
            AnsiConsole.MarkupLine(markup);
        }
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    private static string Yuan(long fen) => $"{fen / 100m:N2} CNY";

    private static string Ms(TimeSpan? value) => value is { } v ? $"{v.TotalMilliseconds:N0} ms" : "n/a";

    private sealed class PlatformHost(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public IServiceProvider Services => app.Services;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
