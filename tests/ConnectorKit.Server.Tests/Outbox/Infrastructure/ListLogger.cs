using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Outbox.Infrastructure;

public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

/// <summary>Keeps every log entry, formatted, so tests can assert on levels and on what never appears.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), exception));
}
