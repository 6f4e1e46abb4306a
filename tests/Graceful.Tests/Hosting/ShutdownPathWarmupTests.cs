using Graceful.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Graceful.Tests.Hosting;

/// <summary>
/// The warm-up is best effort, but a failure in it is said (at Debug), not swallowed. Ahead of time (NativeAOT) it
/// still rehearses the log lines, whose generic virtual calls the runtime otherwise resolves at the stop.
/// </summary>
public class ShutdownPathWarmupTests
{
    [Fact]
    public async Task AFailingRehearsal_IsLogged_WithItsException()
    {
        var logger = new FirstEventLogger();

        ShutdownPathWarmup.Start(() => throw new InvalidOperationException("rehearsal failed"), logger);
        var (eventName, exception) = await logger.First.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal("ShutdownPathWarmupFailed", eventName);
        Assert.Equal("rehearsal failed", exception?.Message);
    }

    [Fact]
    public async Task AheadOfTime_TheLogLinesAreStillRehearsed_AndNothingIsPrepared()
    {
        var logger = new FirstEventLogger();
        var rehearsed = false;

        ShutdownPathWarmup.Start(() => rehearsed = true, logger, compile: false);
        var (eventName, _) = await logger.First.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal("ShutdownPathWarmedUp", eventName);
        Assert.True(rehearsed);
        Assert.Equal(0, logger.Methods);
    }

    private sealed class FirstEventLogger : ILogger
    {
        public TaskCompletionSource<(string? EventName, Exception? Exception)> First { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        // The "Methods" value of the first line: how many methods the warm-up prepared.
        public int? Methods { get; private set; }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                Methods ??= values.FirstOrDefault(v => v.Key == "Methods").Value as int?;
            }

            First.TrySetResult((eventId.Name, exception));
        }
    }
}
