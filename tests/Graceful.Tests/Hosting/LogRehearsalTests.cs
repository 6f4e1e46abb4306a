using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Graceful.Tests.Hosting;

/// <summary>The shutdown's log lines are rehearsed at start (to compile their logging code) without being written.</summary>
public partial class LogRehearsalTests
{
    [Fact]
    public void RehearsedLine_ReachesTheRealLoggerOnlyAtLevelNone_AndOnlyTheConsolesOwnFormatter_WritingToNull()
    {
        var simple = new RecordingFormatter(ConsoleFormatterNames.Simple);
        var json = new RecordingFormatter(ConsoleFormatterNames.Json);
        var rehearsal = new LogRehearsal([simple, json], new FixedOptions(new ConsoleLoggerOptions()));
        var real = new RecordingLogger();

        var rehearsing = rehearsal.For(real);
        LogDraining(rehearsing, "SIGTERM", 3);

        Assert.Equal([LogLevel.None], real.Levels);
        Assert.Equal(["SIGTERM received: draining 3 requests"], simple.Written);
        Assert.Same(TextWriter.Null, simple.Writer);
        Assert.Empty(json.Written);
    }

    [Fact]
    public void TheFormatterNamedInTheConsoleOptions_IsTheOneRehearsed()
    {
        var simple = new RecordingFormatter(ConsoleFormatterNames.Simple);
        var json = new RecordingFormatter(ConsoleFormatterNames.Json);
        var rehearsal = new LogRehearsal([simple, json], new FixedOptions(new ConsoleLoggerOptions { FormatterName = ConsoleFormatterNames.Json }));

        var rehearsing = rehearsal.For(NullLogger.Instance);
        LogPhase(rehearsing, 1);

        Assert.Empty(simple.Written);
        Assert.Equal(["Phase 1"], json.Written);
    }

    [Fact]
    public void OneShutdownEventsLineOfEachShape_IsRehearsed_AtLevelNone()
    {
        var rehearsal = new LogRehearsal([], new FixedOptions(new ConsoleLoggerOptions()));
        var real = new RecordingLogger();

        var rehearsed = rehearsal.EachShapeOf(typeof(ShutdownEvents), real);

        var shapes = LogRehearsal.LinesOf(typeof(ShutdownEvents)).Select(l => string.Join(',', l.GetParameters().Select(p => p.ParameterType))).Distinct();
        Assert.Equal(shapes.Count(), rehearsed);
        Assert.True(rehearsed >= 5, $"only {rehearsed} shapes found");
        Assert.Equal(Enumerable.Repeat(LogLevel.None, rehearsed), real.Levels);
    }

    [Fact]
    public async Task SampleService_WritesNoShutdownLineBeforeTheSignal_AndEachExactlyOnceAfterIt()
    {
        await using var service = await SlowService.StartAsync();
        // The warm-up (and its rehearsal) runs on a background thread once the app has started.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(service.Lines, l => l.Contains("received: draining") || l.Contains("Phase "));

        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Single(service.Lines, l => l.Contains("SIGTERM received: draining"));
        Assert.Single(service.Lines, l => l.Contains("Phase 1/5 stop accepting"));
        Assert.Single(service.Lines, l => l.Contains("Phase 4/5 hooks"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Trigger} received: draining {Requests} requests")]
    private static partial void LogDraining(ILogger logger, string trigger, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "Phase {Phase}")]
    private static partial void LogPhase(ILogger logger, int phase);

    private sealed class RecordingFormatter(string name) : ConsoleFormatter(name)
    {
        public List<string> Written { get; } = [];

        public TextWriter? Writer { get; private set; }

        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
        {
            Writer = textWriter;
            Written.Add(logEntry.Formatter(logEntry.State, logEntry.Exception));
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }

    private sealed class FixedOptions(ConsoleLoggerOptions value) : IOptionsMonitor<ConsoleLoggerOptions>
    {
        public ConsoleLoggerOptions CurrentValue => value;

        public ConsoleLoggerOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleLoggerOptions, string?> listener) => null;
    }
}
