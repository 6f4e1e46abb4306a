using Graceful.AspNetCore.Platform.Signals;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Diagnostics.Logging;

/// <summary>
/// Graceful's own loggers. The logging framework writes an entry to every provider and then throws if one of them
/// failed; on the shutdown path that exception would escape a signal handler (ending the process) or the host's stop
/// (turning a clean drain into a crash). Here it is caught: the other providers have the line already, and the
/// failure is reported once on standard error. The drain's outcome and exit code stay what they were.
/// </summary>
internal sealed class FaultTolerantLogger(ILogger inner) : ILogger
{
    private static int _reported;

    public static ILogger Wrap(ILogger logger) => logger as FaultTolerantLogger ?? new FaultTolerantLogger(logger);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception ex)
        {
            Report(ex);
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception ex)
        {
            Report(ex);
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception ex)
        {
            Report(ex);
        }
    }

    private static void Report(Exception ex)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            var cause = ex is AggregateException { InnerExceptions: [var first, ..] } ? first : ex;
            ProcessSignals.WriteError($"a logging provider failed ({cause.GetType().Name}: {cause.Message}); Graceful's lines may be missing from that provider, the shutdown goes on (reported once)");
        }
    }
}

/// <summary>The typed form, registered for Graceful's own classes in place of the framework's <c>Logger&lt;T&gt;</c>.</summary>
internal sealed class FaultTolerantLogger<T>(ILoggerFactory factory) : ILogger<T>
{
    private readonly ILogger _logger = FaultTolerantLogger.Wrap(factory.CreateLogger<T>());

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _logger.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _logger.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _logger.Log(logLevel, eventId, state, exception, formatter);
}
