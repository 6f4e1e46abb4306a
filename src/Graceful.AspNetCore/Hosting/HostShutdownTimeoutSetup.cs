using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Keeps <see cref="HostOptions.ShutdownTimeout"/> from cutting Graceful when the app left it at the host's default:
/// an unbounded drain makes it infinite; a bounded one adds the pre-stop delay, the drain deadline and the hooks'
/// timeouts to it, so hosted services keep the budget they had after Graceful's phases. A timeout the app set itself
/// (any value other than the host's default) is honoured as it is: it then bounds the drain too (see
/// <see cref="StopBudget"/>, which says so at start).
/// </summary>
internal sealed class HostShutdownTimeoutSetup(IOptions<GracefulOptions> options, IEnumerable<ShutdownHook> hooks) : IPostConfigureOptions<HostOptions>
{
    /// <summary>The Generic Host's own default (30 s), which Graceful takes to mean "not set by the app".</summary>
    public static readonly TimeSpan HostDefault = new HostOptions().ShutdownTimeout;

    private bool _setByApp;

    /// <summary>The host's timeout as built, and whether the app set it (building the options is what tells).</summary>
    public (TimeSpan Timeout, bool SetByApp) Read(IOptions<HostOptions> host)
    {
        var timeout = host.Value.ShutdownTimeout;
        return (timeout, _setByApp);
    }

    public void PostConfigure(string? name, HostOptions host)
    {
        if (!options.TryGetValid(out var graceful))
        {
            return;
        }

        if (host.ShutdownTimeout != HostDefault)
        {
            _setByApp = true;
            return;
        }

        host.ShutdownTimeout = StopBudget.Add(host.ShutdownTimeout, StopBudget.GracefulPhases(graceful, hooks));
    }
}
