namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>What a crash test checks once delivery has finished: the killed process's database against the receiver's effects.</summary>
internal static class DeliveryAssertions
{
    /// <summary>
    /// Nothing dead-lettered, no event took effect twice, and every application the database emitted events for
    /// reached the receiver with sequences 1..<paramref name="eventsPerApplication"/>, in order.
    /// </summary>
    public static void EveryEventTookEffectOnceInSequence(string dataDirectory, IReadOnlyList<Effect> effects, int applications, int eventsPerApplication)
    {
        Assert.Equal(0, BankDatabase.DeadLetters(dataDirectory));
        var duplicated = effects.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicated.Count == 0, $"{duplicated.Count} events took effect more than once, e.g. {string.Join(", ", duplicated.Take(3))}");
        var emitted = BankDatabase.LastSequences(dataDirectory);
        Assert.Equal(applications, emitted.Count);
        var received = effects.GroupBy(e => e.ApplicationId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Order).Select(e => e.Sequence).ToList());
        Assert.Equal(emitted.Keys.Order(), received.Keys.Order());
        foreach (var (applicationId, last) in emitted)
        {
            Assert.Equal(eventsPerApplication, last);
            Assert.Equal(Enumerable.Range(1, (int)last).Select(s => (long)s), received[applicationId]);
        }
    }
}
