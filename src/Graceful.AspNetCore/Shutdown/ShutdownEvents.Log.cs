using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Shutdown;

// Each distinct parameter shape of a log method costs its first call 3-5 ms of JIT under a JIT runtime (the framework's
// logging generics are instantiated over it), so Rehearse runs one line of each shape below through the logging
// pipeline after start-up without writing it (see LogRehearsal): no line of the shutdown compiles logging code. The shape rule, which
// LogShapeRuleTests enforces: parameters come in the order of the template's placeholders, at most six of them, so the
// generator shares LoggerMessage.Define's value holders rather than emitting a struct of its own for the line. The
// phase numbers (n/5) follow ShutdownPhase.
internal sealed partial class ShutdownEvents
{
    /// <summary>Rehearses one line of each shape of the shutdown path's log (see <see cref="LogRehearsal"/>).</summary>
    public void Rehearse(LogRehearsal rehearsal) => rehearsal.EachShapeOf(typeof(ShutdownEvents), logger);

    [LoggerMessage(EventId = 10, EventName = "ShutdownStarted", Level = LogLevel.Information,
        Message = "{Trigger} received: draining {Requests} requests on {Connections} connections")]
    private static partial void LogShutdownStarted(ILogger logger, string trigger, int requests, int connections);

    [LoggerMessage(EventId = 11, EventName = "AlreadyShuttingDown", Level = LogLevel.Information,
        Message = "{Trigger} received while already shutting down: the drain goes on")]
    private static partial void LogAlreadyShuttingDown(ILogger logger, string trigger);

    [LoggerMessage(EventId = 19, EventName = "PreStopDelay", Level = LogLevel.Information,
        Message = "Pre-stop delay: serving for {Delay} more ({Requests} requests on {Connections} connections now) while readiness reports Unhealthy")]
    private static partial void LogPreStopDelay(ILogger logger, LoggedDuration delay, int requests, int connections);

    [LoggerMessage(EventId = 25, EventName = "AdaptivePreStop", Level = LogLevel.Information,
        Message = "Pre-stop: serving until no request has arrived for {Quiet} (at least {Minimum}, at most {Maximum}; {Requests} requests on {Connections} connections now) while readiness reports Unhealthy")]
    private static partial void LogAdaptivePreStop(ILogger logger, LoggedDuration quiet, LoggedDuration minimum, LoggedDuration maximum, int requests, int connections);

    [LoggerMessage(EventId = 26, EventName = "PreStopQuiet", Level = LogLevel.Information,
        Message = "Pre-stop ended by quiet after {Elapsed}: the balancer stopped sending; {Requests} requests on {Connections} connections arrived during it")]
    private static partial void LogPreStopQuiet(ILogger logger, LoggedDuration elapsed, int requests, int connections);

    [LoggerMessage(EventId = 27, EventName = "PreStopMaximum", Level = LogLevel.Warning,
        Message = "Pre-stop ended at its maximum after {Elapsed} while traffic was still arriving ({Requests} requests on {Connections} connections during it) from {Addresses}: the listeners close under a balancer that has not stopped sending")]
    private static partial void LogPreStopMaximum(ILogger logger, LoggedDuration elapsed, int requests, int connections, string addresses);

    [LoggerMessage(EventId = 28, EventName = "PreStopEnded", Level = LogLevel.Information,
        Message = "Pre-stop ended by {EndedBy} after {Elapsed}: {Requests} requests on {Connections} connections arrived during it")]
    private static partial void LogPreStopEnded(ILogger logger, string endedBy, LoggedDuration elapsed, int requests, int connections);

    [LoggerMessage(EventId = 18, EventName = "ForcingDeadline", Level = LogLevel.Warning,
        Message = "{Signal} received again: cutting the drain now, as if its deadline had passed")]
    private static partial void LogForcingDeadline(ILogger logger, string signal);

    [LoggerMessage(EventId = 9, EventName = "RepeatedAfterDrain", Level = LogLevel.Information,
        Message = "{Signal} received again after the drain finished: the exit goes on")]
    private static partial void LogRepeatedAfterDrain(ILogger logger, string signal);

    [LoggerMessage(EventId = 24, EventName = "HostTimeoutCut", Level = LogLevel.Warning,
        Message = "The host's stop token fired (the app's HostOptions.ShutdownTimeout, or the token passed to StopAsync): cutting the drain now")]
    private static partial void LogHostTimeoutCut(ILogger logger);

    [LoggerMessage(EventId = 12, EventName = "StoppedAccepting", Level = LogLevel.Information,
        Message = "Phase 1/5 stop accepting in {Elapsed}: closed {Listeners} listeners ({Endpoints})")]
    private static partial void LogStoppedAccepting(ILogger logger, LoggedDuration elapsed, int listeners, string endpoints);

    [LoggerMessage(EventId = 13, EventName = "ClosedIdle", Level = LogLevel.Information,
        Message = "Phase 2/5 close idle in {Elapsed}: closed {Idle} idle connections, {KeptAndBusy}")]
    private static partial void LogClosedIdle(ILogger logger, LoggedDuration elapsed, int idle, KeptAndBusy keptAndBusy);

    [LoggerMessage(EventId = 29, EventName = "ClosesSpread", Level = LogLevel.Information,
        Message = "Phase 2/5 close idle: closing {Connections} connections one at a time over {Window} (Graceful:CloseSpread), each losslessly at its own moment")]
    private static partial void LogClosesSpread(ILogger logger, int connections, LoggedDuration window);

    [LoggerMessage(EventId = 32, EventName = "CloseSpreadOverridden", Level = LogLevel.Warning,
        Message = "{Signal} received again during the drain: closing the connections left of the spread now")]
    private static partial void LogCloseSpreadOverridden(ILogger logger, string signal);

    [LoggerMessage(EventId = 14, EventName = "Drained", Level = LogLevel.Information,
        Message = "Phase 3/5 drain in {Elapsed}: {Requests} in-flight requests on {Connections} connections finished")]
    private static partial void LogDrained(ILogger logger, LoggedDuration elapsed, int requests, int connections);

    [LoggerMessage(EventId = 8, EventName = "ClosedWithoutRequest", Level = LogLevel.Warning,
        Message = "Graceful:DrainReadHeaderTimeout ({Bound}) passed without a complete request on {Count} connections: closed them")]
    private static partial void LogClosedWithoutRequest(ILogger logger, LoggedDuration bound, int count);

    [LoggerMessage(EventId = 15, EventName = "DrainCut", Level = LogLevel.Error,
        Message = "Phase 3/5 drain: deadline reached after {Elapsed}; {Count} requests on {Connections} connections were cut")]
    private static partial void LogDrainCut(ILogger logger, LoggedDuration elapsed, int count, int connections);

    [LoggerMessage(EventId = 16, EventName = "RequestCut", Level = LogLevel.Error,
        Message = "Drain deadline: aborting {Method} {Path} on connection {ConnectionId}, running for {Ran}")]
    private static partial void LogRequestCut(ILogger logger, string method, string path, string connectionId, LoggedDuration ran);

    [LoggerMessage(EventId = 17, EventName = "HandlersIgnoredAbort", Level = LogLevel.Warning,
        Message = "{Count} aborted connections were still held by their handlers after {Grace}; exiting without them")]
    private static partial void LogHandlersIgnoredAbort(ILogger logger, int count, LoggedDuration grace);

    [LoggerMessage(EventId = 23, EventName = "HooksRan", Level = LogLevel.Information,
        Message = "Phase 4/5 hooks in {Elapsed}: ran {Count} shutdown hooks ({Failed} failed or timed out)")]
    private static partial void LogHooksRan(ILogger logger, LoggedDuration elapsed, int count, int failed);

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
