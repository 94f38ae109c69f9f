using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Observability.Infrastructure;

/// <summary>Keeps every log line in memory, with its category, scopes and exception text, for tests to search.</summary>
public sealed class InMemoryLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public sealed record LogLine(string Category, LogLevel Level, string Message, string? Scopes, string? Exception)
    {
        /// <summary>Everything a log sink could receive for this line.</summary>
        public string FullText => $"{Category} {Level} {Message} {Scopes} {Exception}";

        public override string ToString() => FullText;
    }

    private sealed class Logger(InMemoryLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            provider._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);

            // Structured sinks see the raw arguments as well as the rendered message.
            var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            provider._lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception) + " " + arguments, string.Join(" | ", scopes), exception?.ToString()));
        }
    }
}
