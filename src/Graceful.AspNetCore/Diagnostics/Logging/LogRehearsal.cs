using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Diagnostics.Logging;

/// <summary>
/// Lets the shutdown path's log lines be rehearsed once the application has started, so that under a JIT runtime the
/// logging generics instantiated over their parameter shapes (the message holder, the logger's and the console
/// formatter's <c>Log&lt;TState&gt;</c>, the formatting) are compiled before the signal rather than after it. Nothing
/// is written: the real logger is called at <see cref="LogLevel.None"/>, which the logging contract says no provider
/// writes, and the application's console formatter writes to <see cref="TextWriter.Null"/>.
/// </summary>
internal sealed class LogRehearsal
{
    private readonly ConsoleFormatter[] _formatters;

    public LogRehearsal(IEnumerable<ConsoleFormatter> formatters, IOptionsMonitor<ConsoleLoggerOptions> console)
    {
        // Only the formatter the console logger uses: compiling the others would be work for nothing.
        var name = console.CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple;
        _formatters = [.. formatters.Where(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>A logger that rehearses every line given to it on <paramref name="real"/> without writing it.</summary>
    public ILogger For(ILogger real) => new RehearsingLogger(real, _formatters);

    private sealed class RehearsingLogger(ILogger real, ConsoleFormatter[] formatters) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            real.Log(LogLevel.None, eventId, state, exception, formatter);
            var entry = new LogEntry<TState>(logLevel, string.Empty, eventId, state, exception, formatter);
            foreach (var console in formatters)
            {
                console.Write(in entry, null, TextWriter.Null);
            }
        }
    }
}
