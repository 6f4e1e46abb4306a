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

    // hostShutdownTimeout is the host's timeout after HostShutdownTimeoutSetup extended it by Graceful's own phases.
    public static StopBudget Of(GracefulOptions options, IEnumerable<ShutdownHook> hooks, TimeSpan hostShutdownTimeout)
    {
        var hookTotal = TimeSpan.Zero;
        foreach (var hook in hooks)
        {
            var timeout = hook.Timeout ?? options.HookTimeout;
            hookTotal = hookTotal == Timeout.InfiniteTimeSpan || timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : hookTotal + timeout;
        }

        var graceful = options.DrainTimeout == Timeout.InfiniteTimeSpan || hookTotal == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : options.PreStopDelay + options.DrainTimeout + hookTotal;
        var hosted = hostShutdownTimeout == Timeout.InfiniteTimeSpan || graceful == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : hostShutdownTimeout - graceful;
        return new StopBudget(options.PreStopDelay, options.DrainTimeout, hookTotal, hosted);
    }
}
