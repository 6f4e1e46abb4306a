using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Platform.Files;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.ListenSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Tells the outside world about the service's life: the stop budget before the start, the pid file and systemd's
/// READY=1 once it serves (and then the warm-up of the shutdown path), the pid file's removal at the exit.
/// </summary>
internal sealed class ServiceAnnouncer(
    PidFile pidFile,
    SystemdNotifier systemd,
    InheritedSockets inherited,
    ShutdownEvents events,
    LogRehearsal logRehearsal,
    ILoggerFactory loggers,
    HostShutdownTimeoutSetup hostShutdownTimeout,
    IOptions<HostOptions> hostOptions,
    IOptions<GracefulOptions> options,
    IEnumerable<ShutdownHook> hooks)
{
    /// <summary>Before the start: how long a stop can take (read here, so a bad option fails the start, not Build()).</summary>
    public void Starting()
    {
        var (shutdownTimeout, setByApp) = hostShutdownTimeout.Read(hostOptions);
        events.Budget(StopBudget.Of(options.Value, hooks, shutdownTimeout, setByApp));
    }

    /// <summary>Every hosted service, Kestrel included, has started and serves.</summary>
    public void Serving()
    {
        // Kestrel is listening once the host reports started: only then may systemd route traffic here.
        // An upgrade's successor leaves both to its predecessor, which hands them over only once it is ready.
        if (!inherited.IsSuccessor)
        {
            pidFile.Write(Environment.ProcessId);
            systemd.Notify($"READY=1\nSTATUS=Serving\nMAINPID={Environment.ProcessId}");
        }

        ShutdownPathWarmup.Start(() => events.Rehearse(logRehearsal), loggers.CreateLogger(typeof(ShutdownPathWarmup).FullName!));
    }

    /// <summary>The process is about to exit.</summary>
    public void Exiting() => pidFile.RemoveIfOwn();
}
