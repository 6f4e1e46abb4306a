using Graceful.AspNetCore.Diagnostics.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Shutdown.Hooks;

/// <summary>Runs the registered <see cref="ShutdownHook"/>s: a hook that throws or hangs is logged and the next one runs.</summary>
internal sealed partial class ShutdownHookRunner(
    IEnumerable<ShutdownHook> hooks,
    IServiceProvider services,
    IOptions<GracefulOptions> options,
    TimeProvider time,
    ILogger<ShutdownHookRunner> logger)
{
    /// <summary>Runs every hook in registration order; returns how many ran and how many failed or timed out.</summary>
    public async Task<HookCounts> RunAllAsync()
    {
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

        return new HookCounts(count, failed);
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
}

/// <summary>
/// How many hooks ran and how many of them failed or timed out. A class, not a value tuple: a task of a value type
/// would be one more generic instantiation for the JIT to compile after the signal.
/// </summary>
internal sealed record HookCounts(int Count, int Failed);
