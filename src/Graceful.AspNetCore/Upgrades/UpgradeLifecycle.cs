using System.Runtime.InteropServices;
using Graceful.AspNetCore.Platform;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Transport.ListenSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Upgrades;

/// <summary>
/// Both ends of an upgrade at start-up: the trigger signal is listened for once the host starts, and a successor
/// reports readiness to its predecessor only once every hosted service, Kestrel included, has started.
/// </summary>
internal sealed partial class UpgradeLifecycle(
    UpgradeCoordinator upgrades,
    InheritedSockets inherited,
    StartupSignal startup,
    IOptions<GracefulOptions> options,
    ILogger<UpgradeLifecycle> logger) : IHostedLifecycleService, IDisposable
{
    private PosixSignalRegistration? _trigger;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var upgrade = options.Value.Upgrade;
        if (upgrade.Enabled && upgrades.RefusedBecause is { } refused)
        {
            // Said once, at start: the trigger stays registered, so a signal meant as an upgrade is logged and
            // ignored rather than taken for a shutdown.
            LogRefused(logger, refused);
        }

        if (upgrade.Enabled && UpgradeSignal.TryParse(upgrade.Signal, out var signal))
        {
            _trigger = PosixSignalRegistration.Create(signal, context =>
            {
                // Keep the runtime's default (for SIGHUP: terminate) from ending the process.
                context.Cancel = true;
                ProcessSignals.MarkSignalled();
                _ = upgrades.UpgradeAsync(upgrade.Signal);
            });
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // A successor told to stop during its start-up never reports ready: its predecessor serves on. Deciding marks
        // it serving, so a signal after the report is a normal shutdown, never a stop before serving after a hand-over.
        if (inherited.ReadyChannel is { } channel && startup.MarkServing() is null)
        {
            foreach (var (key, descriptor) in inherited.TakeUnclaimed())
            {
                LogUnclaimedListener(logger, key);
                _ = Libc.Close(descriptor);
            }

            ReadinessChannel.AnnounceReady(channel);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => upgrades.WhenIdleAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _trigger?.Dispose();

    [LoggerMessage(EventId = 79, EventName = "UpgradesRefused", Level = LogLevel.Warning,
        Message = "In-place upgrades are refused: {Reason}. The upgrade signal is logged and ignored; restart by replacing the instance (docs/containers.md)")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 74, EventName = "UnclaimedListener", Level = LogLevel.Warning,
        Message = "Closed the inherited listener for {Endpoint}: this version does not listen there")]
    private static partial void LogUnclaimedListener(ILogger logger, string endpoint);
}
