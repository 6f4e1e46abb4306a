using System.Reflection;
using System.Text.RegularExpressions;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Hosting;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Logging;

namespace Graceful.Tests.Hosting;

/// <summary>
/// The shape rule of the shutdown path's log lines (ShutdownEvents.Log.cs): parameters in the order of the template's
/// placeholders, at most six, so that the logging generator uses LoggerMessage.Define's shared value holders and a
/// line's first call after the signal compiles nothing new.
/// </summary>
public sealed partial class LogShapeRuleTests
{
    [Fact]
    public void EveryLogLineOnTheShutdownPath_TakesItsParametersInTheTemplatesOrder()
    {
        var lines = ShutdownPathWarmup.ShutdownPathTypes().SelectMany(AllNested).SelectMany(LogRehearsal.LinesOf).ToList();

        Assert.Contains(lines, l => l.DeclaringType == typeof(ShutdownEvents));
        Assert.Empty(lines.Select(ShapeRule.Violation).OfType<string>());
    }

    [Fact]
    public void ShapeRule_RejectsALineWhoseParametersAreOutOfOrder_OrTooMany()
    {
        var violations = LogRehearsal.LinesOf(typeof(LogShapeRuleTests)).Select(ShapeRule.Violation).OfType<string>().ToList();

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Contains(nameof(LogOutOfOrder), StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains(nameof(LogSeven), StringComparison.Ordinal));
    }

    private static IEnumerable<Type> AllNested(Type type) => [type, .. type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(AllNested)];

    [LoggerMessage(Level = LogLevel.Information, Message = "{Requests} requests on {Connections} connections")]
    private static partial void LogInOrder(ILogger logger, int requests, int connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Requests} requests on {Connections} connections")]
    private static partial void LogOutOfOrder(ILogger logger, int connections, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "{A} {B} {C} {D} {E} {F} {G}")]
    private static partial void LogSeven(ILogger logger, int a, int b, int c, int d, int e, int f, int g);

    private static partial class ShapeRule
    {
        /// <summary>Why <paramref name="line"/> breaks the rule, or null.</summary>
        public static string? Violation(MethodInfo line)
        {
            var template = line.GetCustomAttribute<LoggerMessageAttribute>()!.Message;
            string[] placeholders = [.. Placeholder().Matches(template).Select(m => m.Groups["name"].Value)];
            string[] parameters = [.. line.GetParameters().Skip(1)
                .Where(p => p.ParameterType != typeof(Exception) && p.ParameterType != typeof(LogLevel)).Select(p => p.Name!)];
            var name = $"{line.DeclaringType!.Name}.{line.Name}";
            return parameters.Length > 6 ? $"{name} takes {parameters.Length} parameters (at most 6)"
                : !placeholders.SequenceEqual(parameters, StringComparer.OrdinalIgnoreCase)
                    ? $"{name} takes ({string.Join(", ", parameters)}) but its template names ({string.Join(", ", placeholders)})"
                : null;
        }

        [GeneratedRegex(@"\{(?<name>[^{}:,]+)(?:[:,][^{}]*)?\}")]
        private static partial Regex Placeholder();
    }
}
