using Graceful.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Graceful.Tests.Hosting;

/// <summary>The warm-up is best effort, but a failure in it is said (at Debug), not swallowed.</summary>
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

    private sealed class FirstEventLogger : ILogger
    {
        public TaskCompletionSource<(string? EventName, Exception? Exception)> First { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            First.TrySetResult((eventId.Name, exception));
    }
}
