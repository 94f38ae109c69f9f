namespace ConnectorKit.Server.Tests.Security.Infrastructure;

/// <summary>A clock the test sets; timestamps still come from the real clock.</summary>
public sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
