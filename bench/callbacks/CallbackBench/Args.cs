using System.Globalization;

namespace ConnectorKit.Bench.Callbacks;

/// <summary>"--name value" pairs from the command line.</summary>
internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected --name, got '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new Args(values);
    }

    public string String(string name, string? fallback = null)
        => values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int? fallback = null)
        => values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback ?? throw new ArgumentException($"--{name} is required.");
}
