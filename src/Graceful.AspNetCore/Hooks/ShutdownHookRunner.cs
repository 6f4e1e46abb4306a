using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hooks;

/// <summary>Runs the registered <see cref="ShutdownHook"/>s: a hook that throws or hangs is logged and the next one runs.</summary>
internal sealed partial class ShutdownHookRunner(
    IEnumerable<ShutdownHook> hooks,
    IServiceProvider services,
    IOptions<GracefulOptions> options,
    TimeProvider time,
    ILogger<ShutdownHookRunner> logger)
{
    public async Task RunAllAsync()
    {
        var started = time.GetTimestamp();
        var count = 0;
        var failed = 0;
        foreach (var hook in hooks)
        {
            count++;
            if (!await RunAsync(hook))
            {
                failed++;
            }
        }

        var elapsed = new LoggedDuration(time.GetElapsedTime(started));
        LogHooksRan(logger, elapsed, count, failed);
    }

    /// <summary>Rehearses the line every shutdown writes here (see <see cref="LogRehearsal"/>).</summary>
    public void RehearseLogs(LogRehearsal rehearsal)
    {
        var rehearsing = rehearsal.For(logger);
        LogHooksRan(rehearsing, LoggedDuration.Zero, 0, 0);
    }

    /// <summary>Runs one hook; false when it failed or timed out.</summary>
    private async Task<bool> RunAsync(ShutdownHook hook)
    {
        var timeout = hook.Timeout ?? options.Value.HookTimeout;
        using var expired = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, time);
        var started = time.GetTimestamp();
        try
        {
            // WaitAsync lets the runner move on from a hook that ignores its token.
            await hook.Callback(services, expired.Token).WaitAsync(expired.Token);
            var elapsed = new LoggedDuration(time.GetElapsedTime(started));
            LogHookRan(logger, hook.Name, elapsed);
            return true;
        }
        catch (OperationCanceledException) when (expired.IsCancellationRequested)
        {
            var limit = new LoggedDuration(timeout);
            LogHookTimedOut(logger, hook.Name, limit);
            return false;
        }
        catch (Exception ex)
        {
            var elapsed = new LoggedDuration(time.GetElapsedTime(started));
            LogHookFailed(logger, ex, hook.Name, elapsed);
            return false;
        }
    }

    [LoggerMessage(EventId = 20, EventName = "HookRan", Level = LogLevel.Information,
        Message = "Shutdown hook {Hook} ran in {Elapsed}")]
    private static partial void LogHookRan(ILogger logger, string hook, LoggedDuration elapsed);

    [LoggerMessage(EventId = 21, EventName = "HookTimedOut", Level = LogLevel.Error,
        Message = "Shutdown hook {Hook} did not finish within its timeout of {Timeout}: abandoned, the next hook runs")]
    private static partial void LogHookTimedOut(ILogger logger, string hook, LoggedDuration timeout);

    [LoggerMessage(EventId = 22, EventName = "HookFailed", Level = LogLevel.Error,
        Message = "Shutdown hook {Hook} failed after {Elapsed}: the next hook runs")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string hook, LoggedDuration elapsed);

    [LoggerMessage(EventId = 23, EventName = "HooksRan", Level = LogLevel.Information,
        Message = "Phase 4/5 hooks in {Elapsed}: ran {Count} shutdown hooks ({Failed} failed or timed out)")]
    private static partial void LogHooksRan(ILogger logger, LoggedDuration elapsed, int count, int failed);
}
