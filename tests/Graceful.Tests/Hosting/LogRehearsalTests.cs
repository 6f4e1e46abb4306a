using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using static Graceful.Tests.GracefulEvents;

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
    public void GracefulsOwnLogger_IsRehearsedOnALoggerOfItsOwnType_ThatWritesNothing()
    {
        var simple = new RecordingFormatter(ConsoleFormatterNames.Simple);
        var rehearsal = new LogRehearsal([simple], new FixedOptions(new ConsoleLoggerOptions()));
        var real = new RecordingLogger();
        var own = new FaultTolerantLogger<ShutdownCoordinator>(new SingleLoggerFactory(real));

        var rehearsing = rehearsal.For(own);
        LogDraining(rehearsing, "SIGTERM", 3);

        // NativeAOT resolves a generic virtual call per receiver type: the rehearsal must call the type the stop calls.
        Assert.IsType<FaultTolerantLogger<ShutdownCoordinator>>(rehearsing);
        Assert.NotSame(own, rehearsing);
        Assert.Equal([LogLevel.None], real.Levels);
        Assert.Equal(["SIGTERM received: draining 3 requests"], simple.Written);
    }

    [Fact]
    public void ARehearsedLineWhoseFormattingThrows_ThrowsNothingToTheLoggerAroundIt()
    {
        var rehearsal = new LogRehearsal([new ThrowingFormatter()], new FixedOptions(new ConsoleLoggerOptions()));

        var rehearsing = rehearsal.For(NullLogger.Instance);

        var thrown = Record.Exception(() => LogPhase(rehearsing, 1));

        Assert.Null(thrown);
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

    // The sample's default single-line text, and the JSON lines the other process tests read: the rehearsal goes
    // through whichever formatter the console uses. Lines are matched by Category[id] in either.
    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public async Task SampleService_WritesNoShutdownLineBeforeTheSignal_AndEachExactlyOnceAfterIt(string formatter)
    {
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["Logging__Console__FormatterName"] = formatter });
        // The warm-up (and its rehearsal) runs on a background thread once the app has started.
        await Task.Delay(TimeSpan.FromSeconds(2));
        EventKey[] shutdownLines = [ShutdownStarted, StoppedAccepting, ClosedIdle, Drained, DrainCut, HooksRan, Exited];
        Assert.DoesNotContain(service.Lines, l => shutdownLines.Any(e => e.IsOn(l)));
        // A sample argument the rehearsal's formatting does not expect is the rehearsal's own business, never a
        // provider failure: that report is printed once per process, and would hide a real one.
        Assert.DoesNotContain(service.Lines.Concat(service.ErrorLines), l => l.Contains("logging provider failed", StringComparison.Ordinal));

        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Single(service.Lines, ShutdownStarted.IsOn);
        Assert.Single(service.Lines, StoppedAccepting.IsOn);
        Assert.Single(service.Lines, HooksRan.IsOn);
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

    private sealed class ThrowingFormatter() : ConsoleFormatter(ConsoleFormatterNames.Simple)
    {
        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter) =>
            throw new InvalidOperationException("a sample argument the formatting did not expect");
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
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
