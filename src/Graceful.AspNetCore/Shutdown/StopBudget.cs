using Microsoft.Extensions.Hosting;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// The longest a stop can take from the signal to exit, and how it splits: pre-stop delay, drain, hooks (one after
/// another), then hosted services within what remains of <see cref="HostOptions.ShutdownTimeout"/>. When the app set
/// that timeout itself, it is honoured: it bounds everything after the pre-stop delay, and may cut the drain
/// (<see cref="CutsDrain"/>).
/// </summary>
internal sealed record StopBudget(TimeSpan PreStopDelay, TimeSpan Drain, TimeSpan Hooks, TimeSpan HostedServices)
{
    /// <summary>The app's own <see cref="HostOptions.ShutdownTimeout"/>, when it set one.</summary>
    public TimeSpan? AppShutdownTimeout { get; init; }

    /// <summary>The app's <see cref="HostOptions.ShutdownTimeout"/> is shorter than the drain and hooks it must hold.</summary>
    public bool CutsDrain { get; init; }

    public bool IsBounded => Total != Timeout.InfiniteTimeSpan;

    public TimeSpan Total => AppShutdownTimeout is { } app
        ? Add(PreStopDelay, app)
        : Add(Add(PreStopDelay, Drain), Add(Hooks, HostedServices));

    /// <summary>What Graceful itself may take: pre-stop delay, drain and every hook's timeout; infinite when any part is.</summary>
    public static TimeSpan GracefulPhases(GracefulOptions options, IEnumerable<ShutdownHook> hooks) =>
        Add(Add(LongestPreStop(options), options.DrainTimeout), HookTotal(options, hooks));

    /// <summary>An adaptive pre-stop may run to its maximum; a fixed one is its delay.</summary>
    public static TimeSpan LongestPreStop(GracefulOptions options) =>
        options.PreStopQuietPeriod is null ? options.PreStopDelay : options.PreStopMaxDelay;

    // hostShutdownTimeout is the host's timeout as built: extended by Graceful unless the app set it (setByApp).
    public static StopBudget Of(GracefulOptions options, IEnumerable<ShutdownHook> hooks, TimeSpan hostShutdownTimeout, bool setByApp)
    {
        var hookTotal = HookTotal(options, hooks);
        if (setByApp)
        {
            // The host's timeout starts once the pre-stop delay is over (the signal path stops the host after it).
            var afterPreStop = Add(options.DrainTimeout, hookTotal);
            var cuts = hostShutdownTimeout != Timeout.InfiniteTimeSpan
                && (afterPreStop == Timeout.InfiniteTimeSpan || afterPreStop > hostShutdownTimeout);
            var left = cuts || hostShutdownTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : hostShutdownTimeout - afterPreStop;
            return new StopBudget(LongestPreStop(options), options.DrainTimeout, hookTotal, left)
            {
                AppShutdownTimeout = hostShutdownTimeout,
                CutsDrain = cuts,
            };
        }

        var graceful = GracefulPhases(options, hooks);
        var hosted = hostShutdownTimeout == Timeout.InfiniteTimeSpan || graceful == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : hostShutdownTimeout - graceful;
        return new StopBudget(LongestPreStop(options), options.DrainTimeout, hookTotal, hosted);
    }

    /// <summary>Adds durations where <see cref="Timeout.InfiniteTimeSpan"/> absorbs everything.</summary>
    public static TimeSpan Add(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan || b == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : a + b;

    private static TimeSpan HookTotal(GracefulOptions options, IEnumerable<ShutdownHook> hooks) =>
        hooks.Aggregate(TimeSpan.Zero, (total, hook) => Add(total, hook.Timeout ?? options.HookTimeout));
}
