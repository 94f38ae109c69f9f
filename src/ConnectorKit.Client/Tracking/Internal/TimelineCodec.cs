using ConnectorKit.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Client.Tracking.Internal;

/// <summary>The timeline column: length-delimited contract <see cref="TimelineEntry"/> messages, so it needs no schema of its own.</summary>
internal static class TimelineCodec
{
    public static byte[] Encode(IReadOnlyList<TimelineStep> steps)
    {
        using var stream = new MemoryStream();
        for (var i = 0; i < steps.Count; i++)
        {
            new TimelineEntry
            {
                State = steps[i].State,
                At = Timestamp.FromDateTimeOffset(steps[i].At),
                Sequence = (ulong)i + 1,
                Note = steps[i].Note,
            }.WriteDelimitedTo(stream);
        }

        return stream.ToArray();
    }

    public static IReadOnlyList<TimelineStep> Decode(byte[] payload)
    {
        var steps = new List<TimelineStep>();
        using var stream = new MemoryStream(payload, writable: false);
        while (stream.Position < stream.Length)
        {
            var entry = TimelineEntry.Parser.ParseDelimitedFrom(stream);
            steps.Add(new TimelineStep(entry.State, entry.At.ToDateTimeOffset(), entry.Note));
        }

        return steps;
    }
}
