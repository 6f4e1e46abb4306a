using System.Runtime.InteropServices;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Replaces the Generic Host's <c>ConsoleLifetime</c>: SIGTERM, SIGINT, SIGQUIT and (unless upgrades use it or it is
/// ignored) SIGHUP start one graceful shutdown (<see cref="ShutdownCoordinator"/>), the usual start-up lines are kept, and
/// the host's last call ends the shutdown and sets the exit code. A signal adapter, as <c>ConsoleLifetime</c> is. The rules (docs/design.md, "Signals"):
/// <list type="bullet">
/// <item>signals are registered when the host is built and kept until the process exits (<see cref="ProcessSignals"/>):
/// no signal Graceful handles ever ends the process by its default action;</item>
/// <item>signals within <see cref="RepeatedSignals.Window"/> of the first are the same request; a later one cuts the drain;</item>
/// <item>a signal during start-up is recorded, start-up completes without serving, and the normal stop follows;</item>
/// <item>a signal after the shutdown has finished is ignored and reported once.</item>
/// </list>
/// </summary>
internal sealed partial class GracefulHostLifetime : IHostLifetime, ISignalReceiver, IDisposable
{
    private readonly ShutdownCoordinator _shutdown;
    private readonly StartupSignal _startup;
    private readonly ServiceAnnouncer _announcer;
    private readonly IHostApplicationLifetime _applicationLifetime;
    private readonly IHostEnvironment _environment;
    private readonly IOptions<ConsoleLifetimeOptions> _consoleOptions;
    private readonly IOptions<GracefulOptions> _options;
    private readonly TimeProvider _time;
    // The familiar start-up lines keep ConsoleLifetime's category, so existing log filters still apply.
    private readonly ILogger _lifetimeLogger;
    private readonly ILogger _logger;
    private readonly RepeatedSignals _repeats;
    private readonly IDisposable _signals;
    private ITimer? _burstTimer;
    private int _burstLogged;
    private int _sighupIgnoredLogged;
    private volatile bool _finished;

    public GracefulHostLifetime(
        ShutdownCoordinator shutdown,
        StartupSignal startup,
        ServiceAnnouncer announcer,
        IHostApplicationLifetime applicationLifetime,
        IHostEnvironment environment,
        IOptions<ConsoleLifetimeOptions> consoleOptions,
        IOptions<GracefulOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        (_shutdown, _startup, _announcer, _applicationLifetime, _environment, _consoleOptions, _options, _time) =
            (shutdown, startup, announcer, applicationLifetime, environment, consoleOptions, options, time);
        _lifetimeLogger = FaultTolerantLogger.Wrap(loggers.CreateLogger("Microsoft.Hosting.Lifetime"));
        _logger = new FaultTolerantLogger<GracefulHostLifetime>(loggers);
        _repeats = new RepeatedSignals(time);
        // As early as the hosting model allows: the host builds its lifetime in Build(), before any hosted service
        // starts, so a signal from then on is Graceful's to handle. The options are not read here: a bad value must
        // fail the start with its one-line error, not Build().
        _signals = ProcessSignals.Attach(this, [PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP]);
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        // The upgrade signal's own registration (UpgradeLifecycle) lives with the host; this one outlives it, so the
        // signal arriving before the start or after the stop is ignored rather than fatal.
        var upgrade = _options.Value.Upgrade;
        if (upgrade.Enabled && UpgradeSignal.TryParse(upgrade.Signal, out var upgradeSignal))
        {
            ProcessSignals.Keep([upgradeSignal]);
        }

        _announcer.Starting();
        _applicationLifetime.ApplicationStarted.Register(OnStarted);
        return Task.CompletedTask;
    }

    // Every hosted service, Kestrel included, has started.
    private void OnStarted()
    {
        if (_startup.MarkServing() is { } signal)
        {
            // Off the host's thread: the host is still inside StartAsync, which must return before it can stop.
            _ = Task.Run(() =>
            {
                _shutdown.TryBegin(signal, TriggerKind.BeforeServing);
                _applicationLifetime.StopApplication();
            });
            return;
        }

        _announcer.Serving();
        if (!_consoleOptions.Value.SuppressStatusMessages)
        {
            LogStarted(_lifetimeLogger);
            LogEnvironment(_lifetimeLogger, _environment.EnvironmentName);
            LogContentRoot(_lifetimeLogger, _environment.ContentRootPath);
        }
    }

    public bool OnSignal(PosixSignal signal)
    {
        var name = ProcessSignals.Name(signal);
        if (signal is not (PosixSignal.SIGTERM or PosixSignal.SIGINT or PosixSignal.SIGQUIT) && !IsShutdownSignal(signal, name))
        {
            return true;
        }

        if (_finished)
        {
            if (ProcessSignals.FirstIgnored())
            {
                LogIgnoredAfterShutdown(_logger, name);
            }

            return true;
        }

        switch (_repeats.Arrive(_time.GetTimestamp()))
        {
            case SignalArrival.First:
                _burstTimer = _time.CreateTimer(static state => ((GracefulHostLifetime)state!).LogBurstOnce(), this,
                    RepeatedSignals.Window, Timeout.InfiniteTimeSpan);
                if (_startup.TryRecord(name))
                {
                    LogStoppingBeforeServing(_logger, name);
                }
                else if (_shutdown.TryBegin(name))
                {
                    // Readiness reports Unhealthy from here; the host stops once the pre-stop (if any) is over.
                    _ = _shutdown.StopApplicationAfterPreStopAsync();
                }

                break;
            case SignalArrival.Repeat when _startup.StoppingBeforeServing && !_startup.IsServing:
                // Nothing is served and nothing can be cut: the stop follows start-up as fast as it can already.
                LogRepeatedDuringStartup(_logger, name);
                break;
            case SignalArrival.Repeat:
                // Only a repeat after the window is an operator insisting; a first signal during a shutdown started
                // from code (ShutdownAsync, StopApplication) just joins it, and TryBegin says so.
                _shutdown.OnRepeatedSignal(name);
                break;
            default:
                // Part of the first request (logged once when its window closes), or after the repeat was acted on.
                break;
        }

        return true;
    }

    // SIGHUP and the upgrade signal. While the host runs, UpgradeLifecycle's registration takes the upgrade signal
    // before this one sees it: here it is the signal before the start or after the stop, ignored.
    private bool IsShutdownSignal(PosixSignal signal, string name)
    {
        var options = _options.Value;
        if (options.Upgrade.Enabled && UpgradeSignal.TryParse(options.Upgrade.Signal, out var upgradeSignal) && upgradeSignal == signal)
        {
            if (ProcessSignals.FirstIgnored())
            {
                LogUpgradeSignalIgnored(_logger, name);
            }

            return false;
        }

        if (signal != PosixSignal.SIGHUP)
        {
            return false;
        }

        if (options.IgnoreSighup)
        {
            if (Interlocked.Exchange(ref _sighupIgnoredLogged, 1) == 0)
            {
                LogSighupIgnored(_logger);
            }

            return false;
        }

        return true;
    }

    // Once per shutdown, when the first signal's window closes (or at the exit, if that comes first).
    private void LogBurstOnce()
    {
        if (Interlocked.Exchange(ref _burstLogged, 1) == 0 && _repeats.InWindow > 1)
        {
            var (spread, window) = (new LoggedDuration(_repeats.Spread), new LoggedDuration(RepeatedSignals.Window));
            LogBurst(_logger, _repeats.InWindow, spread, window);
        }
    }

    /// <summary>
    /// Called by the host last, after hosted services and <c>ApplicationStopped</c>: the shutdown's exit phase, and the
    /// one place Graceful sets <see cref="Environment.ExitCode"/> (so that a plain <c>app.Run()</c> exits with it).
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        LogBurstOnce();
        _announcer.Exiting();
        if (_shutdown.Exit(Environment.ExitCode) is { } result)
        {
            Environment.ExitCode = result.ExitCode;
        }

        _finished = true;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // The registrations stay (ProcessSignals); from here a signal is ignored and reported on standard error.
        _signals.Dispose();
        _burstTimer?.Dispose();
    }

    [LoggerMessage(EventId = 49, EventName = "StoppingBeforeServing", Level = LogLevel.Warning,
        Message = "{Signal} during start-up: stopping before serving (start-up completes, then every started hosted service stops)")]
    private static partial void LogStoppingBeforeServing(ILogger logger, string signal);

    [LoggerMessage(EventId = 48, EventName = "RepeatedDuringStartup", Level = LogLevel.Warning,
        Message = "{Signal} received again during start-up: the stop follows as soon as start-up completes (a hosted service still starting is not cut short)")]
    private static partial void LogRepeatedDuringStartup(ILogger logger, string signal);

    [LoggerMessage(EventId = 44, EventName = "SignalBurst", Level = LogLevel.Information,
        Message = "{Count} signals arrived within {Spread} of the first (window {Window}): one shutdown request")]
    private static partial void LogBurst(ILogger logger, int count, LoggedDuration spread, LoggedDuration window);

    [LoggerMessage(EventId = 45, EventName = "IgnoredAfterShutdown", Level = LogLevel.Information,
        Message = "{Signal} received after the shutdown finished: ignored, the process is exiting (further signals are ignored silently)")]
    private static partial void LogIgnoredAfterShutdown(ILogger logger, string signal);

    [LoggerMessage(EventId = 46, EventName = "SighupIgnored", Level = LogLevel.Information,
        Message = "SIGHUP received: ignored (Graceful:IgnoreSighup; further ones silently)")]
    private static partial void LogSighupIgnored(ILogger logger);

    [LoggerMessage(EventId = 47, EventName = "UpgradeSignalIgnored", Level = LogLevel.Warning,
        Message = "{Signal} received while upgrades cannot start (before the host started or after it stopped): ignored (further signals are ignored silently)")]
    private static partial void LogUpgradeSignalIgnored(ILogger logger, string signal);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Application started. Press Ctrl+C to shut down.")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Hosting environment: {EnvName}")]
    private static partial void LogEnvironment(ILogger logger, string envName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Content root path: {ContentRoot}")]
    private static partial void LogContentRoot(ILogger logger, string contentRoot);




}
