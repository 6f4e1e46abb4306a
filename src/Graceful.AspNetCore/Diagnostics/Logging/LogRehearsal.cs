using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// A logger that rehearses every line given to it on <paramref name="real"/> without writing it. Graceful's own
    /// loggers get one of their own type: NativeAOT caches a generic virtual call's target by the receiver's type, so
    /// the lines' calls into the logger are then resolved for the type the stop calls them on.
    /// </summary>
    public ILogger For(ILogger real) => real is FaultTolerantLogger own
        ? own.Over(new RehearsingLogger(own.Inner, _formatters))
        : new RehearsingLogger(real, _formatters);

    /// <summary>
    /// Rehearses one <c>[LoggerMessage]</c> line of each parameter shape declared on <paramref name="lines"/> (static
    /// methods taking the logger first) on <paramref name="real"/>, with sample arguments: found by reflection, so a
    /// line of a new shape is rehearsed without being listed anywhere. Lines of the same shape share all their logging
    /// code, and rehearsing each would only call the formatters often enough to have the tiered JIT recompile them
    /// at the stop. Returns how many lines were rehearsed.
    /// </summary>
    public int EachShapeOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicMethods | DynamicallyAccessedMemberTypes.PublicMethods)] Type lines, ILogger real)
    {
        var rehearsing = For(real);
        var rehearsed = 0;
        foreach (var line in OnePerShape(LinesOf(lines)))
        {
            var parameters = line.GetParameters();
            var arguments = new object?[parameters.Length];
            arguments[0] = rehearsing;
            for (var i = 1; i < parameters.Length; i++)
            {
                arguments[i] = DefaultOf(parameters[i].ParameterType);
            }

            try
            {
                line.Invoke(null, arguments);
            }
            catch (TargetInvocationException)
            {
                // Thrown by the line's own code outside the logger (the rehearsing logger keeps what its formatting
                // throws): the line's code ran up to there, compiled, and the next shapes are still rehearsed.
            }

            rehearsed++;
        }

        return rehearsed;
    }

    /// <summary>The first of <paramref name="lines"/> for each distinct list of parameter types.</summary>
    public static IEnumerable<MethodInfo> OnePerShape(IEnumerable<MethodInfo> lines) =>
        lines.GroupBy(l => string.Join(',', l.GetParameters().Select(p => p.ParameterType.FullName))).Select(g => g.First());

    /// <summary>The static <c>[LoggerMessage]</c> methods of <paramref name="lines"/> that take the logger as first parameter.</summary>
    public static IEnumerable<MethodInfo> LinesOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicMethods | DynamicallyAccessedMemberTypes.PublicMethods)] Type lines) =>
        lines.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m.IsDefined(typeof(LoggerMessageAttribute)) && m.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(ILogger));

    // A duration as the stop logs them, with a fraction (12.3456 ms): formatting it takes the double formatting's
    // full path, which a zero skips and the stop would otherwise call for the first time.
    private static readonly LoggedDuration SampleDuration = new(TimeSpan.FromTicks(123_456));

    // Not null: the logging formatter takes another path for a null argument (it writes "(null)" without the generic
    // string.Format a real value goes through). A duration passes a realistic sample, another value type its default,
    // a class an instance whose constructor did not run, which is enough to format it.
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A log parameter's type has a default or an uninitialized instance; only reached under JIT.")]
    private static object? DefaultOf(Type type) =>
        type == typeof(string) ? string.Empty
        : type == typeof(LoggedDuration) ? SampleDuration
        : type.IsValueType ? Activator.CreateInstance(type)
        : type.IsAbstract || type.IsInterface || type.IsArray ? null
        : RuntimeHelpers.GetUninitializedObject(type);

    private sealed class RehearsingLogger(ILogger real, ConsoleFormatter[] formatters) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                real.Log(LogLevel.None, eventId, state, exception, formatter);
                var entry = new LogEntry<TState>(logLevel, string.Empty, eventId, state, exception, formatter);
                foreach (var console in formatters)
                {
                    console.Write(in entry, null, TextWriter.Null);
                }
            }
            catch (Exception)
            {
                // A sample argument the formatting did not expect: the line's logging code ran up to there, compiled.
                // Nothing escapes to the logger around this one, which for Graceful's own loggers would report it as a
                // failing provider (once per process, hiding a real failure).
            }
        }
    }
}
