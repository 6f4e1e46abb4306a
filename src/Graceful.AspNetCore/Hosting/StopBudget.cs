using Microsoft.Extensions.Hosting;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// The longest a stop can take from the signal to exit, and how it splits: pre-stop delay, drain, hooks (one after
/// another), then hosted services within what remains of <see cref="HostOptions.ShutdownTimeout"/>.
/// </summary>
internal sealed record StopBudget(TimeSpan PreStopDelay, TimeSpan Drain, TimeSpan Hooks, TimeSpan HostedServices)
{
    public bool IsBounded => Drain != Timeout.InfiniteTimeSpan && Hooks != Timeout.InfiniteTimeSpan && HostedServices != Timeout.InfiniteTimeSpan;

    public TimeSpan Total => IsBounded ? PreStopDelay + Drain + Hooks + HostedServices : Timeout.InfiniteTimeSpan;

    /// <summary>What Graceful itself may take: pre-stop delay, drain and every hook's timeout; infinite when any part is.</summary>
    public static TimeSpan GracefulPhases(GracefulOptions options, IEnumerable<ShutdownHook> hooks) =>
        Add(Add(options.PreStopDelay, options.DrainTimeout), HookTotal(options, hooks));

    // hostShutdownTimeout is the host's timeout after HostShutdownTimeoutSetup extended it by GracefulPhases.
    public static StopBudget Of(GracefulOptions options, IEnumerable<ShutdownHook> hooks, TimeSpan hostShutdownTimeout)
    {
        var graceful = GracefulPhases(options, hooks);
        var hosted = hostShutdownTimeout == Timeout.InfiniteTimeSpan || graceful == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : hostShutdownTimeout - graceful;
        return new StopBudget(options.PreStopDelay, options.DrainTimeout, HookTotal(options, hooks), hosted);
    }

    /// <summary>Adds durations where <see cref="Timeout.InfiniteTimeSpan"/> absorbs everything.</summary>
    public static TimeSpan Add(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan || b == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : a + b;

    private static TimeSpan HookTotal(GracefulOptions options, IEnumerable<ShutdownHook> hooks) =>
        hooks.Aggregate(TimeSpan.Zero, (total, hook) => Add(total, hook.Timeout ?? options.HookTimeout));
}
