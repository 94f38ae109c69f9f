using ConnectorKit.Examples.PlatformClient;

// Usage: PlatformClient demo [--enterprises N] [--data DIR] [--seed N] [--plain]
if (args.Length == 0 || args[0] != "demo")
{
    Console.Error.WriteLine("usage: PlatformClient demo [--enterprises N] [--data DIR] [--seed N] [--plain]");
    return 2;
}

var options = new DemoOptions();
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--enterprises":
            options.Enterprises = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--data":
            options.DataDirectory = args[++i];
            break;
        case "--seed":
            options.Seed = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--plain":
            options.Plain = true;
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await new DemoRunner(options).RunAsync(cancel.Token);
