using System.Collections.Concurrent;
using ConnectorKit.Conformance.Reports;

namespace ConnectorKit.Conformance.Running;

/// <summary>A case's evidence, bounded so a chatty case cannot blow up the report.</summary>
internal sealed class EvidenceLog
{
    public const int MaxEntries = 40;
    public const int MaxExcerptLength = 2_000;

    private readonly ConcurrentQueue<EvidenceEntry> _entries = new();
    private int _count;

    public void Add(string label, string text)
    {
        if (Interlocked.Increment(ref _count) > MaxEntries)
        {
            return;
        }

        var excerpt = text.Length <= MaxExcerptLength ? text : string.Concat(text.AsSpan(0, MaxExcerptLength), $"… ({text.Length - MaxExcerptLength} more characters)");
        _entries.Enqueue(new EvidenceEntry(label, EvidenceMask.Apply(excerpt)));
    }

    public IReadOnlyList<EvidenceEntry> ToList()
    {
        var list = _entries.ToList();
        if (_count > MaxEntries)
        {
            list.Add(new EvidenceEntry("truncated", $"{_count - MaxEntries} further entries were dropped."));
        }

        return list;
    }
}
