using ConnectorKit.Server.Outbox.Internal;

namespace ConnectorKit.Server.Tests.Outbox;

public sealed class RetryDelaysTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Fact]
    public void Next_ManyAttempts_StaysWithinZeroAndTheCap()
    {
        var delays = new RetryDelays(Base, Max);

        var samples = Enumerable.Range(0, 200).Select(i => delays.Next(i % 60)).ToList();

        Assert.All(samples, d => Assert.InRange(d, TimeSpan.Zero, Max));
        Assert.Equal(Max, delays.Next(int.MaxValue));
    }

    [Fact]
    public void Next_SameAttempt_IsJittered()
    {
        var delays = new RetryDelays(Base, Max);

        var samples = Enumerable.Range(0, 20).Select(_ => delays.Next(3)).ToList();

        Assert.True(samples.Distinct().Count() > 10, string.Join(", ", samples));
    }

    [Fact]
    public void Next_LaterAttempts_WaitLongerOnAverage()
    {
        var delays = new RetryDelays(Base, Max);

        var first = Median(Enumerable.Range(0, 101).Select(_ => delays.Next(0)));
        var fourth = Median(Enumerable.Range(0, 101).Select(_ => delays.Next(3)));
        var seventh = Median(Enumerable.Range(0, 101).Select(_ => delays.Next(6)));

        Assert.InRange(first, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));
        Assert.True(fourth > first * 2, $"{first} then {fourth}");
        Assert.True(seventh > fourth * 2, $"{fourth} then {seventh}");
    }

    [Fact]
    public void Next_FixedRandomizer_FollowsPollysExponentialCurve()
    {
        // With the random part pinned, Polly's decorrelated jitter is deterministic: past the first attempts, where its
        // tanh factor still damps the curve, each delay about doubles.
        var delays = new RetryDelays(Base, Max, randomizer: () => 0.5);

        var series = Enumerable.Range(2, 6).Select(delays.Next).ToList();

        Assert.All(series.Zip(series.Skip(1)), pair => Assert.InRange(pair.Second / pair.First, 1.5, 2.5));
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
