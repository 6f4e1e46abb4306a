using System.Runtime.InteropServices;
using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Draining;
using Graceful.AspNetCore.Hosting;
using Graceful.AspNetCore.Logging;
using Graceful.AspNetCore.Reporting;
using Graceful.AspNetCore.Systemd;
using Graceful.AspNetCore.Upgrades;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Signals;

/// <summary>
/// Replaces the Generic Host's <c>ConsoleLifetime</c>: SIGTERM, SIGINT, SIGQUIT and (unless upgrades use it or it is
/// ignored) SIGHUP start one graceful shutdown, the usual start-up lines are kept, and the last line says how long the
/// process took to stop and with which exit code. The rules (docs/design.md, "Signals"):
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
    private readonly ShutdownCoordinator _coordinator;
    private readonly ShutdownRecorder _recorder;
    private readonly ShutdownReportWriter _reportWriter;
    private readonly SystemdNotifier _systemd;
    private readonly InheritedSockets _inherited;
    private readonly PidFile _pidFile;
    private readonly StartupSignal _startup;
    private readonly IHostApplicationLifetime _applicationLifetime;
    private readonly IHostEnvironment _environment;
    private readonly IOptions<ConsoleLifetimeOptions> _consoleOptions;
    private readonly IOptions<GracefulOptions> _options;
    private readonly IOptions<HostOptions> _hostOptions;
    private readonly HostShutdownTimeoutSetup _hostShutdownTimeout;
    private readonly IEnumerable<ShutdownHook> _hooks;
    private readonly LogRehearsal _logRehearsal;
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
        ShutdownCoordinator coordinator,
        ShutdownRecorder recorder,
        ShutdownReportWriter reportWriter,
        SystemdNotifier systemd,
        InheritedSockets inherited,
        PidFile pidFile,
        StartupSignal startup,
        IHostApplicationLifetime applicationLifetime,
        IHostEnvironment environment,
        IOptions<ConsoleLifetimeOptions> consoleOptions,
        IOptions<GracefulOptions> options,
        IOptions<HostOptions> hostOptions,
        HostShutdownTimeoutSetup hostShutdownTimeout,
        IEnumerable<ShutdownHook> hooks,
        LogRehearsal logRehearsal,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        (_coordinator, _recorder, _reportWriter, _systemd, _inherited, _pidFile, _startup) =
            (coordinator, recorder, reportWriter, systemd, inherited, pidFile, startup);
        (_applicationLifetime, _environment, _consoleOptions, _options, _hostOptions, _hostShutdownTimeout, _hooks, _logRehearsal, _time) =
            (applicationLifetime, environment, consoleOptions, options, hostOptions, hostShutdownTimeout, hooks, logRehearsal, time);
        _lifetimeLogger = FaultTolerantLogger.Wrap(loggers.CreateLogger("Microsoft.Hosting.Lifetime"));
        _logger = FaultTolerantLogger.Wrap(loggers.CreateLogger<GracefulHostLifetime>());
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

        var (shutdownTimeout, setByApp) = _hostShutdownTimeout.Read(_hostOptions);
        LogBudget(StopBudget.Of(_options.Value, _hooks, shutdownTimeout, setByApp));
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
                _coordinator.TryBeginBeforeServing(signal);
                _applicationLifetime.StopApplication();
            });
            return;
        }

        // Kestrel is listening once the host reports started: only then may systemd route traffic here.
        // An upgrade's successor leaves both to its predecessor, which hands them over only once it is ready.
        if (!_inherited.IsSuccessor)
        {
            _pidFile.Write(Environment.ProcessId);
            _systemd.Notify($"READY=1\nSTATUS=Serving\nMAINPID={Environment.ProcessId}");
        }

        ShutdownPathWarmup.Start(() => _coordinator.RehearseLogs(_logRehearsal));
        if (!_consoleOptions.Value.SuppressStatusMessages)
        {
            LogStarted(_lifetimeLogger);
            LogEnvironment(_lifetimeLogger, _environment.EnvironmentName);
            LogContentRoot(_lifetimeLogger, _environment.ContentRootPath);
        }
    }

    private void LogBudget(StopBudget budget)
    {
        if (budget is { CutsDrain: true, AppShutdownTimeout: { } appTimeout })
        {
            LogBudgetCutsDrain(_logger, new LoggedDuration(budget.Total), new LoggedDuration(appTimeout), new LoggedDuration(budget.PreStopDelay),
                new LoggedDuration(budget.Drain), new LoggedDuration(budget.Hooks));
        }
        else if (budget.IsBounded)
        {
            var (total, preStop, drain, hookTime, hosted) = (new LoggedDuration(budget.Total), new LoggedDuration(budget.PreStopDelay),
                new LoggedDuration(budget.Drain), new LoggedDuration(budget.Hooks), new LoggedDuration(budget.HostedServices));
            LogBoundedBudget(_logger, total, preStop, drain, hookTime, hosted);
        }
        else
        {
            LogUnboundedBudget(_logger);
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
                else if (_coordinator.TryBegin(name))
                {
                    // Readiness reports Unhealthy from here; the host stops once the pre-stop delay (if any) is over.
                    _ = _coordinator.StopApplicationAfterPreStopDelayAsync();
                }

                break;
            case SignalArrival.Repeat when _startup.StoppingBeforeServing && !_startup.IsServing:
                // Nothing is served and nothing can be cut: the stop follows start-up as fast as it can already.
                LogRepeatedDuringStartup(_logger, name);
                break;
            case SignalArrival.Repeat:
                // Only a repeat after the window is an operator insisting; a first signal during a shutdown started
                // from code (ShutdownAsync, StopApplication) just joins it, and TryBegin says so.
                _coordinator.OnRepeatedSignal(name);
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

    /// <summary>Called by the host last, after hosted services and <c>ApplicationStopped</c>.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        LogBurstOnce();
        _pidFile.RemoveIfOwn();
        if (_coordinator.Trigger is { } trigger)
        {
            var report = _recorder.Build(Environment.ExitCode);
            _reportWriter.Write(report);
            var elapsed = new LoggedDuration(_time.GetElapsedTime(trigger.Timestamp));
            LogExited(_logger, elapsed, report.ExitCode, report);
            _systemd.Notify($"STATUS=Stopped: {report}");
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

    [LoggerMessage(EventId = 41, EventName = "StopBudget", Level = LogLevel.Information,
        Message = "Stop budget: at most {Total} from signal to exit (pre-stop delay {PreStopDelay}, drain {Drain}, hooks {Hooks}, hosted services {HostedServices}); the platform's grace period should be longer")]
    private static partial void LogBoundedBudget(ILogger logger, LoggedDuration total, LoggedDuration preStopDelay, LoggedDuration drain,
        LoggedDuration hooks, LoggedDuration hostedServices);

    [LoggerMessage(EventId = 43, EventName = "StopBudgetCutsDrain", Level = LogLevel.Warning,
        Message = "Stop budget: at most {Total} from signal to exit: the app's HostOptions.ShutdownTimeout of {ShutdownTimeout} (counted after the pre-stop delay of {PreStopDelay}) is shorter than the drain ({Drain}) and hooks ({Hooks}) it must hold, so a request still running when it fires is aborted. Leave ShutdownTimeout unset to let Graceful size it")]
    private static partial void LogBudgetCutsDrain(ILogger logger, LoggedDuration total, LoggedDuration shutdownTimeout, LoggedDuration preStopDelay,
        LoggedDuration drain, LoggedDuration hooks);

    [LoggerMessage(EventId = 42, EventName = "StopBudgetUnbounded", Level = LogLevel.Information,
        Message = "Stop budget: unbounded (Graceful:DrainTimeout is infinite): the drain waits for every request, and only the platform's SIGKILL limits a stop")]
    private static partial void LogUnboundedBudget(ILogger logger);

    [LoggerMessage(EventId = 40, EventName = "Exited", Level = LogLevel.Information,
        Message = "Phase 5/5 exit in {Elapsed}: exit code {ExitCode} after {Report}")]
    // The shutdown report's log event. Same parameter shape (reference, int, reference) as the drain's phase-1 line,
    // so its logging code is compiled before the last response.
    private static partial void LogExited(ILogger logger, LoggedDuration elapsed, int exitCode, ShutdownReport report);
}
