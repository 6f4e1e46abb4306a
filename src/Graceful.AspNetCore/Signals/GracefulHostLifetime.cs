using System.Runtime.InteropServices;
using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Draining;
using Graceful.AspNetCore.Hosting;
using Graceful.AspNetCore.Reporting;
using Graceful.AspNetCore.Systemd;
using Graceful.AspNetCore.Upgrades;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Signals;

/// <summary>
/// Replaces the Generic Host's <c>ConsoleLifetime</c>: SIGTERM, SIGINT and SIGQUIT start one graceful shutdown
/// (later signals are logged, and the process is never killed by the runtime's default handling), the usual
/// start-up lines are kept, and the last line says how long the process took to stop and with which exit code.
/// </summary>
internal sealed partial class GracefulHostLifetime(
    ShutdownCoordinator coordinator,
    ShutdownRecorder recorder,
    ShutdownReportWriter reportWriter,
    SystemdNotifier systemd,
    InheritedSockets inherited,
    PidFile pidFile,
    IHostApplicationLifetime applicationLifetime,
    IHostEnvironment environment,
    IOptions<ConsoleLifetimeOptions> consoleOptions,
    IOptions<GracefulOptions> options,
    IOptions<HostOptions> hostOptions,
    HostShutdownTimeoutSetup hostShutdownTimeout,
    IEnumerable<ShutdownHook> hooks,
    LogRehearsal logRehearsal,
    TimeProvider time,
    ILoggerFactory loggers) : IHostLifetime, IDisposable
{
    // The familiar start-up lines keep ConsoleLifetime's category, so existing log filters still apply.
    private readonly ILogger _lifetimeLogger = loggers.CreateLogger("Microsoft.Hosting.Lifetime");
    private readonly ILogger _logger = loggers.CreateLogger<GracefulHostLifetime>();
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _signalsReceived;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        // Kestrel is listening once the host reports started: only then may systemd route traffic here.
        // An upgrade's successor leaves both to its predecessor, which hands them over only once it is ready.
        if (!inherited.IsSuccessor)
        {
            applicationLifetime.ApplicationStarted.Register(() =>
            {
                pidFile.Write(Environment.ProcessId);
                systemd.Notify($"READY=1\nSTATUS=Serving\nMAINPID={Environment.ProcessId}");
            });
        }

        var (shutdownTimeout, setByApp) = hostShutdownTimeout.Read(hostOptions);
        LogBudget(StopBudget.Of(options.Value, hooks, shutdownTimeout, setByApp));
        applicationLifetime.ApplicationStarted.Register(() => ShutdownPathWarmup.Start(() => coordinator.RehearseLogs(logRehearsal)));
        if (!consoleOptions.Value.SuppressStatusMessages)
        {
            applicationLifetime.ApplicationStarted.Register(() =>
            {
                LogStarted(_lifetimeLogger);
                LogEnvironment(_lifetimeLogger, environment.EnvironmentName);
                LogContentRoot(_lifetimeLogger, environment.ContentRootPath);
            });
        }

        foreach (var signal in (ReadOnlySpan<PosixSignal>)[PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT])
        {
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        return Task.CompletedTask;
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

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from terminating the process: the shutdown below decides when it ends.
        context.Cancel = true;
        var signal = context.Signal.ToString();
        // Only a repeated signal is an operator insisting; a first signal during a shutdown started from code
        // (ShutdownAsync, StopApplication) just joins it, and TryBegin says so.
        if (Interlocked.Increment(ref _signalsReceived) > 1)
        {
            coordinator.OnRepeatedSignal(signal);
        }
        else if (coordinator.TryBegin(signal))
        {
            // Readiness reports Unhealthy from here; the host stops once the pre-stop delay (if any) is over.
            _ = coordinator.StopApplicationAfterPreStopDelayAsync();
        }
    }

    /// <summary>Called by the host last, after hosted services and <c>ApplicationStopped</c>.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        pidFile.RemoveIfOwn();
        if (coordinator.Trigger is { } trigger)
        {
            var report = recorder.Build(Environment.ExitCode);
            reportWriter.Write(report);
            var elapsed = new LoggedDuration(time.GetElapsedTime(trigger.Timestamp));
            LogExited(_logger, elapsed, report.ExitCode, report);
            systemd.Notify($"STATUS=Stopped: {report}");
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }
    }

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
