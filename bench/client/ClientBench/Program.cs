using System.Globalization;
using ConnectorKit.Bench.Client;

// Usage:
//   ClientBench load --port N --concurrency C --warmup-s W --measure-s M
//   ClientBench profile --port N --calls K
//   ClientBench alloc --port N [--quick] [--artifacts DIR]
const string Usage = "usage: ClientBench load --port N --concurrency C --warmup-s W --measure-s M"
    + " | profile --port N --calls K | alloc --port N [--quick] [--artifacts DIR]";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
var flags = new HashSet<string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i++)
{
    if (args[i] == "--quick")
    {
        flags.Add("quick");
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i][2..]] = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete option {args[i]}. {Usage}");
        return 2;
    }
}

int Int(string name) => int.Parse(options[name], CultureInfo.InvariantCulture);
double Double(string name) => double.Parse(options[name], CultureInfo.InvariantCulture);

try
{
    return args[0] switch
    {
        "load" => await LoadClient.RunAsync(Int("port"), Int("concurrency"), Double("warmup-s"), Double("measure-s")),
        "profile" => await AllocationProfile.RunAsync(Int("port"), Int("calls")),
        "alloc" => AllocationBenchmark.Run(Int("port"), flags.Contains("quick"), options.GetValueOrDefault("artifacts")),
        _ => throw new KeyNotFoundException(args[0]),
    };
}
catch (KeyNotFoundException ex)
{
    Console.Error.WriteLine($"{ex.Message}. {Usage}");
    return 2;
}
