using Graceful.AspNetCore.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Keeps <see cref="HostOptions.ShutdownTimeout"/> from cutting Graceful: an unbounded drain makes it infinite;
/// a bounded one adds the pre-stop delay, the drain deadline and the hooks' timeouts to it, so hosted services keep
/// the budget they had after Graceful's phases.
/// </summary>
internal sealed class HostShutdownTimeoutSetup(IOptions<GracefulOptions> options, IEnumerable<ShutdownHook> hooks) : IPostConfigureOptions<HostOptions>
{
    public void PostConfigure(string? name, HostOptions host)
    {
        if (!options.TryGetValid(out var graceful))
        {
            return;
        }

        var phases = graceful.DrainTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : graceful.DrainTimeout + graceful.PreStopDelay;
        foreach (var hook in hooks)
        {
            var timeout = hook.Timeout ?? graceful.HookTimeout;
            phases = phases == Timeout.InfiniteTimeSpan || timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : phases + timeout;
        }

        host.ShutdownTimeout = phases == Timeout.InfiniteTimeSpan || host.ShutdownTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : host.ShutdownTimeout + phases;
    }
}
