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

        host.ShutdownTimeout = StopBudget.Add(host.ShutdownTimeout, StopBudget.GracefulPhases(graceful, hooks));
    }
}
