using Graceful.AspNetCore.Platform.Signals;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Diagnostics.Logging;

/// <summary>
/// Graceful's own loggers. The logging framework writes an entry to every provider and then throws if one of them
/// failed; on the shutdown path that exception would escape a signal handler (ending the process) or the host's stop
/// (turning a clean drain into a crash). Here it is caught: the other providers have the line already, and the
/// failure is reported once on standard error. The drain's outcome and exit code stay what they were.
/// </summary>
internal class FaultTolerantLogger(ILogger inner) : ILogger
{
    private static int _reported;

    public static ILogger Wrap(ILogger logger) => logger as FaultTolerantLogger ?? new FaultTolerantLogger(logger);

    /// <summary>The logger this one writes to.</summary>
    public ILogger Inner => inner;

    /// <summary>
    /// A logger of this one's own type that writes to <paramref name="other"/>: a log rehearsal (<see cref="LogRehearsal"/>)
    /// calls the lines on it, so that NativeAOT resolves their generic virtual calls for the type the stop calls them on.
    /// </summary>
    public virtual FaultTolerantLogger Over(ILogger other) => new(other);

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

/// <summary>
/// The typed form, registered for Graceful's own classes in place of the framework's <c>Logger&lt;T&gt;</c>, with the
/// same category. It wraps the factory's logger for the category itself rather than a <c>Logger&lt;T&gt;</c>: each
/// wrapper is one more generic virtual call per line, which NativeAOT's type loader resolves at a shape's first line,
/// during the stop for the lines only the stop writes.
/// </summary>
internal sealed class FaultTolerantLogger<T> : FaultTolerantLogger, ILogger<T>
{
    public FaultTolerantLogger(ILoggerFactory factory)
        : base(factory.CreateLogger(Category))
    {
    }

    private FaultTolerantLogger(ILogger inner)
        : base(inner)
    {
    }

    // Logger<T>'s category: the type's full name, nested types joined by '.' (Graceful's own types are not generic).
    private static string Category => typeof(T).FullName!.Replace('+', '.');

    public override FaultTolerantLogger Over(ILogger other) => new FaultTolerantLogger<T>(other);
}
