using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Platform;
using Graceful.AspNetCore.Platform.Files;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.ListenSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Upgrades;

/// <summary>
/// Owns an in-place upgrade, one at a time, in this order:
/// <list type="number">
/// <item>start the successor (by default this process's own command line) holding the listening sockets and one end
/// of a private readiness channel; this process goes on accepting and serving meanwhile;</item>
/// <item>wait until the successor reports it serves, it exits, <see cref="UpgradeOptions.ReadyTimeout"/> passes, or a
/// shutdown begins; on anything but readiness the successor is killed and this process serves on;</item>
/// <item>hand over: the pid file and systemd's MAINPID name the successor, then this process stops accepting and
/// drains losslessly (its connections' next requests reconnect to the same sockets, now served by the successor).</item>
/// </list>
/// </summary>
internal sealed partial class UpgradeCoordinator(
    ListenSocketBroker sockets,
    ShutdownCoordinator shutdown,
    PidFile pidFile,
    SystemdNotifier systemd,
    IHostApplicationLifetime lifetime,
    IOptions<GracefulOptions> options,
    TimeProvider time,
    ILogger<UpgradeCoordinator> logger)
{
    private int _upgrading;
    private Task<UpgradeResult>? _current;

    /// <summary>Why upgrades are refused in this process (see <see cref="NamespaceInit"/>), or null when they can work.</summary>
    public string? RefusedBecause { get; } = NamespaceInit.WhySuccessorsDie();

    public async Task<UpgradeResult> UpgradeAsync(string trigger, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        if (!options.Value.Upgrade.Enabled)
        {
            LogIgnored(logger, trigger, "upgrades are not enabled (Graceful:Upgrade:Enabled)");
            return new UpgradeResult(UpgradeOutcome.NotEnabled, null, "Upgrades are not enabled.", TimeSpan.Zero);
        }

        if (RefusedBecause is { } refused)
        {
            LogIgnored(logger, trigger, refused);
            return new UpgradeResult(UpgradeOutcome.Refused, null, refused, TimeSpan.Zero);
        }

        if (shutdown.IsShuttingDown)
        {
            LogIgnored(logger, trigger, "the process is shutting down");
            return new UpgradeResult(UpgradeOutcome.ShuttingDown, null, "The process is shutting down.", TimeSpan.Zero);
        }

        if (Interlocked.Exchange(ref _upgrading, 1) == 1)
        {
            LogIgnored(logger, trigger, "an upgrade is already under way");
            return new UpgradeResult(UpgradeOutcome.AlreadyUpgrading, null, "An upgrade is already under way.", TimeSpan.Zero);
        }

        var upgrade = RunGuardedAsync(trigger, started, cancellationToken);
        Volatile.Write(ref _current, upgrade);
        return await upgrade;
    }

    // Triggered from a signal handler nobody awaits: whatever goes wrong ends as a logged failure that leaves the
    // process serving and open to the next trigger, never as an unobserved exception that blocks upgrades for good.
    private async Task<UpgradeResult> RunGuardedAsync(string trigger, long started, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(trigger, started, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or UnauthorizedAccessException)
        {
            return Failed(trigger, started, null, ex.Message);
        }
    }

    /// <summary>
    /// Completes when no upgrade is under way. A shutdown waits for it: the upgrade sees the shutdown begin, kills its
    /// successor and ends, so no successor outlives the process that started it.
    /// </summary>
    public Task WhenIdleAsync() => Volatile.Read(ref _current) ?? Task.CompletedTask;

    private async Task<UpgradeResult> RunAsync(string trigger, long started, CancellationToken cancellationToken)
    {
        var upgrade = options.Value.Upgrade;
        var command = upgrade.Command.Count > 0 ? [.. upgrade.Command] : OwnCommandLine();
        var listeners = sockets.OpenSockets().Select(l => (l.Key, Descriptor: (int)l.Socket.Handle)).ToList();
        systemd.Notify(string.Create(CultureInfo.InvariantCulture,
            $"RELOADING=1\nMONOTONIC_USEC={Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000)}\nSTATUS=Upgrading: starting successor"));

        using var channel = ReadinessChannel.Create();
        SuccessorProcess successor;
        // Shared until the successor is known gone (never returned after a hand-over, nor for one killed unwaited).
        sockets.Lend();
        try
        {
            var environment = new Dictionary<string, string>
            {
                [InheritedSockets.ListenersVariable] = InheritedSockets.Format(listeners),
                [InheritedSockets.ReadyChannelVariable] = channel.SuccessorDescriptor.ToString(CultureInfo.InvariantCulture),
            };
            successor = SuccessorProcess.Start(command, environment, [.. listeners.Select(l => l.Descriptor), channel.SuccessorDescriptor]);
        }
        catch (InvalidOperationException ex)
        {
            sockets.Return();
            return Failed(trigger, started, null, ex.Message);
        }
        finally
        {
            channel.ReleaseSuccessorEnd();
        }

        var commandLine = string.Join(' ', command);
        LogStarting(logger, trigger, successor.Id, commandLine, listeners.Count);
        var (readyPid, failure) = await WaitForReadyAsync(channel, cancellationToken);
        if (readyPid is not { } pid)
        {
            successor.Kill();
            // Bounded: a SIGKILLed process is gone at once; the wait only collects how it ended for the log.
            var ended = await successor.Exited.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None).ContinueWith(
                t => t.IsCompletedSuccessfully ? t.Result : "still running after SIGKILL", TaskScheduler.Default);
            if (successor.Exited.IsCompletedSuccessfully)
            {
                sockets.Return();
            }

            return Failed(trigger, started, successor.Id, $"{failure} ({ended})",
                shutdown.IsShuttingDown ? UpgradeOutcome.ShuttingDown : UpgradeOutcome.Failed);
        }

        if (!shutdown.TryBegin($"{trigger} (upgrade to pid {pid})", TriggerKind.Handover))
        {
            successor.Kill();
            return Failed(trigger, started, pid, "a shutdown began as the successor became ready; the successor was killed", UpgradeOutcome.ShuttingDown);
        }

        pidFile.Write(pid);
        systemd.Notify(string.Create(CultureInfo.InvariantCulture, $"MAINPID={pid}\nREADY=1\nSTATUS=Handed over to pid {pid}"));
        // From here systemd follows the successor; this process's own stop must not look like the service's.
        systemd.Silence();
        var took = time.GetElapsedTime(started);
        var readyAfter = new LoggedDuration(took);
        LogHandedOver(logger, pid, listeners.Count, readyAfter);
        lifetime.StopApplication();
        return new UpgradeResult(UpgradeOutcome.HandedOver, pid, null, took);
    }

    private async Task<(int? Pid, string Failure)> WaitForReadyAsync(ReadinessChannel channel, CancellationToken cancellationToken)
    {
        var timeout = options.Value.Upgrade.ReadyTimeout;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown.Begun);
        wait.CancelAfter(timeout);
        try
        {
            // The channel also ends when the successor exits (its end closes), so no separate wait on the process is needed.
            return await channel.WaitForReadyAsync(wait.Token) is { } pid
                ? (pid, "")
                : (null, "the successor exited before it was ready");
        }
        catch (SocketException ex)
        {
            return (null, $"the readiness channel failed: {ex.Message}");
        }
        catch (OperationCanceledException)
        {
            return (null, shutdown.IsShuttingDown ? "a shutdown began before the successor was ready"
                : cancellationToken.IsCancellationRequested ? "the upgrade was cancelled"
                : $"the successor was not ready within {new LoggedDuration(timeout)} (Graceful:Upgrade:ReadyTimeout)");
        }
    }

    private UpgradeResult Failed(string trigger, long started, int? pid, string reason, UpgradeOutcome outcome = UpgradeOutcome.Failed)
    {
        // Open for the next trigger before saying so: whoever reads the failure may try again at once.
        Volatile.Write(ref _upgrading, 0);
        if (outcome == UpgradeOutcome.ShuttingDown)
        {
            // The process stops instead; systemd already heard STOPPING=1, so no READY=1 to end the reload.
            LogAbandoned(logger, trigger, pid ?? 0, reason);
        }
        else
        {
            LogFailed(logger, trigger, pid ?? 0, reason);
            systemd.Notify($"READY=1\nSTATUS=Upgrade failed, serving on: {reason}");
        }

        return new UpgradeResult(outcome, pid, reason, time.GetElapsedTime(started));
    }

    // argv exactly as this process was started (e.g. "dotnet app.dll --urls ..."), with the program resolved to a
    // full path, so a relative or PATH-found program starts the same way from the same working directory.
    private static string[] OwnCommandLine()
    {
        var arguments = File.ReadAllText("/proc/self/cmdline", Encoding.UTF8).Split('\0');
        var argv = arguments.Length > 0 && arguments[^1].Length == 0 ? arguments[..^1] : arguments;
        return [Environment.ProcessPath ?? argv[0], .. argv.Skip(1)];
    }
}
