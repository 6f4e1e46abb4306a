using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Graceful.TestSupport;

/// <summary>Collects every log entry an in-process app writes, for assertions on what an operator would read.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public bool Contains(string text) => _entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>The lines with the event name <paramref name="eventName"/> (the [LoggerMessage]'s EventName).</summary>
    public IReadOnlyList<LogEntry> Events(string eventName) => [.. _entries.Where(e => e.EventId.Name == eventName)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // LogLevel.None is never written, as the logging contract says of every provider: Graceful's warm-up rehearses
        // the shutdown's log lines at that level (LogRehearsal).
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception, Properties(state)));
            }
        }

        // The line's structured values ([LoggerMessage] placeholders), which tests assert on instead of its wording.
        private static Dictionary<string, object?> Properties<TState>(TState state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value)
                : [];
    }
}

/// <summary>One log line: <see cref="Properties"/> holds its structured values by placeholder name.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception,
    IReadOnlyDictionary<string, object?> Properties)
{
    /// <summary>The value of one placeholder, as the log renders it.</summary>
    public string? this[string property] => Properties.TryGetValue(property, out var value) ? value?.ToString() : null;
}
