namespace HostileApp;

/// <summary>
/// A logging provider whose sink breaks once the shutdown has begun (a file logger whose disk is gone, a terminal that
/// hung up): from the first "received" line on, every entry it is given for Graceful's categories throws.
/// </summary>
internal sealed class ThrowingLoggerProvider : ILoggerProvider
{
    private volatile bool _broken;

    public ILogger CreateLogger(string categoryName) => new ThrowingLogger(this, categoryName.StartsWith("Graceful.", StringComparison.Ordinal));

    public void Dispose()
    {
    }

    private sealed class ThrowingLogger(ThrowingLoggerProvider provider, bool graceful) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!graceful || logLevel == LogLevel.None)
            {
                return;
            }

            if (formatter(state, exception).Contains(" received", StringComparison.Ordinal))
            {
                provider._broken = true;
            }

            if (provider._broken)
            {
                throw new IOException("the log sink is gone");
            }
        }
    }
}
