namespace ConnectorKit.Reliability.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure());
            }

            await Task.Delay(25);
        }
    }
}
