using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectorKit.Conformance.Running;

/// <summary>
/// The expected failures and skips of a target, read from a JSON file:
/// <c>{"expectations":[{"case":"CK-LOAN-010","outcome":"skip","reason":"…"}]}</c>. <c>case</c> may end in
/// <c>*</c>. Every entry needs a reason; an entry that matches no case, or an expected failure that passes, makes
/// the run fail, so the file cannot go stale silently.
/// </summary>
public sealed class Expectations
{
    private readonly IReadOnlyList<Expectation> _entries;

    private Expectations(IReadOnlyList<Expectation> entries) => _entries = entries;

    public static Expectations None { get; } = new([]);

    public IReadOnlyList<Expectation> Entries => _entries;

    /// <exception cref="FormatException">The file is not valid JSON of that shape, or an entry lacks a case, outcome or reason.</exception>
    public static Expectations Parse(string json, string source = "expectations")
    {
        File? file;
        try
        {
            file = JsonSerializer.Deserialize(json, ExpectationsJson.Default.File);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON ({ex.Message}).", ex);
        }

        var entries = new List<Expectation>();
        foreach (var (entry, index) in (file?.Expectations ?? []).Select((e, i) => (e, i)))
        {
            var where = $"{source}: expectations[{index}]";
            if (string.IsNullOrWhiteSpace(entry.Case))
            {
                throw new FormatException($"{where} has no \"case\".");
            }

            if (string.IsNullOrWhiteSpace(entry.Reason))
            {
                throw new FormatException($"{where} ({entry.Case}) has no \"reason\"; say why the target differs, so the next reader can judge it.");
            }

            var outcome = entry.Outcome?.Trim().ToLowerInvariant() switch
            {
                "fail" or "failed" => ExpectedOutcome.Fail,
                "skip" or "skipped" => ExpectedOutcome.Skip,
                _ => throw new FormatException($"{where} ({entry.Case}) has outcome \"{entry.Outcome}\"; use \"fail\" or \"skip\"."),
            };
            entries.Add(new Expectation(entry.Case.Trim(), outcome, entry.Reason.Trim()));
        }

        return new Expectations(entries);
    }

    public static Expectations Load(string path) => Parse(System.IO.File.ReadAllText(path), path);

    /// <summary>The first entry whose pattern matches the case id, or null.</summary>
    public Expectation? For(string caseId) => _entries.FirstOrDefault(e => e.Matches(caseId));

    internal sealed class File
    {
        [JsonPropertyName("expectations")]
        public List<Entry>? Expectations { get; set; }
    }

    internal sealed class Entry
    {
        [JsonPropertyName("case")]
        public string? Case { get; set; }

        [JsonPropertyName("outcome")]
        public string? Outcome { get; set; }

        [JsonPropertyName("reason")]
        public string? Reason { get; set; }
    }
}

public enum ExpectedOutcome
{
    Fail,
    Skip,
}

/// <summary>One entry of an expectations file.</summary>
/// <param name="Case">A case id, or a prefix ending in <c>*</c>.</param>
public sealed record Expectation(string Case, ExpectedOutcome Outcome, string Reason)
{
    public bool Matches(string caseId) => Case.EndsWith('*')
        ? caseId.StartsWith(Case[..^1], StringComparison.OrdinalIgnoreCase)
        : string.Equals(Case, caseId, StringComparison.OrdinalIgnoreCase);
}

[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(Expectations.File))]
internal sealed partial class ExpectationsJson : JsonSerializerContext;
