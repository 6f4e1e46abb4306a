using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown.Hooks;
using Graceful.AspNetCore.Shutdown.PreStop;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// The one place the shutdown's events become diagnostics: each method is one event of <see cref="ShutdownCoordinator"/>
/// and fans out to the log (event ids 8-28, 40-43 here), the metrics, systemd's STATUS and the shutdown report. The
/// sequence calls it and nothing else for its side effects, so the sequence reads as the sequence (Kestrel's
/// <c>KestrelTrace</c>, Polly's telemetry events). The log's category stays the coordinator's.
/// </summary>
internal sealed partial class ShutdownEvents(
    GracefulMetrics metrics,
    ShutdownRecorder recorder,
    ShutdownReportWriter reportWriter,
    SystemdNotifier systemd,
    StopTimeoutExtension stopTimeout,
    ILogger<ShutdownCoordinator> logger)
{
    public void Begun(ShutdownTrigger trigger, (int Connections, int Requests) now)
    {
        recorder.Begin(trigger.Name, trigger.Timestamp);
        LogShutdownStarted(logger, trigger.Name, now.Requests, now.Connections);
        if (trigger.Kind != TriggerKind.Handover)
        {
            systemd.Notify($"STOPPING=1\nSTATUS={trigger.Name} received: draining {now.Requests} requests on {now.Connections} connections");
        }
    }

    public void AlreadyShuttingDown(string trigger) => LogAlreadyShuttingDown(logger, trigger);

    public void RepeatedAfterDrain(string signal) => LogRepeatedAfterDrain(logger, signal);

    public void ForcingDeadline(string signal) => LogForcingDeadline(logger, signal);

    public void HostTimeoutCut() => LogHostTimeoutCut(logger);

    public void PreStopStarted(GracefulOptions settings, (int Connections, int Requests) now)
    {
        metrics.PreStopStarted();
        if (settings.PreStopQuietPeriod is { } quiet)
        {
            var (quietFor, minimum, maximum) = (new LoggedDuration(quiet), new LoggedDuration(settings.PreStopDelay), new LoggedDuration(settings.PreStopMaxDelay));
            LogAdaptivePreStop(logger, quietFor, minimum, maximum, now.Requests, now.Connections);
            systemd.Notify($"STATUS=Pre-stop: serving until no request has arrived for {quietFor}, while readiness reports Unhealthy");
        }
        else
        {
            var length = new LoggedDuration(settings.PreStopDelay);
            LogPreStopDelay(logger, length, now.Requests, now.Connections);
            systemd.Notify($"STATUS=Pre-stop delay: serving for {length} more while readiness reports Unhealthy");
        }
    }

    public void PreStopEnded(PreStopEnd end)
    {
        metrics.PreStopEnded(end.Elapsed, end.EndedBy);
        recorder.PhaseEnded(ShutdownPhase.PreStop.ReportName());
        var traffic = end.Traffic;
        recorder.PreStopEnded(new PreStopSummary(end.EndedBy, end.Elapsed.TotalSeconds, traffic.Requests, traffic.Connections, traffic.Addresses));
        var elapsed = new LoggedDuration(end.Elapsed);
        switch (end.EndedBy)
        {
            case PreStopEndedBy.Quiet:
                LogPreStopQuiet(logger, elapsed, traffic.Requests, traffic.Connections);
                break;
            case PreStopEndedBy.Maximum:
                var addresses = string.Join(", ", traffic.Addresses);
                LogPreStopMaximum(logger, elapsed, traffic.Requests, traffic.Connections, addresses);
                break;
            default:
                LogPreStopEnded(logger, end.EndedBy, elapsed, traffic.Requests, traffic.Connections);
                break;
        }
    }

    public void StoppedAccepting(TimeSpan took, IReadOnlyList<string> endpoints)
    {
        metrics.DrainStarted();
        recorder.PhaseEnded(ShutdownPhase.StopAccepting.ReportName());
        var (elapsed, endpointList) = (new LoggedDuration(took), string.Join(", ", endpoints));
        LogStoppedAccepting(logger, elapsed, endpoints.Count, endpointList);
    }

    /// <summary>Drain progress for systemd as connections close, when systemd listens (null otherwise).</summary>
    public Action<int>? DrainProgress => systemd.IsEnabled ? systemd.NotifyDrainProgress : null;

    public void ClosedIdle(TimeSpan took, DrainStart start, TimeSpan idleGrace, int requests, TimeSpan spread)
    {
        recorder.DrainStarted(new ConnectionCounts(start.Total, start.Busy, start.IdleClosed, start.KeptForNextRequest)
        {
            Spread = start.Spread > 0 ? new SpreadCloses(start.Spread, spread.TotalSeconds) : null,
        });
        recorder.PhaseEnded(ShutdownPhase.CloseIdle.ReportName());
        if (start.Spread > 0)
        {
            var window = new LoggedDuration(spread);
            LogClosesSpread(logger, start.Spread, window);
            systemd.Notify($"STATUS=Draining: closing {start.Spread} connections over {window}, waiting for {requests} requests");
            return;
        }

        var (elapsed, keptAndBusy) = (new LoggedDuration(took), new KeptAndBusy(start, new LoggedDuration(idleGrace)));
        LogClosedIdle(logger, elapsed, start.IdleClosed, keptAndBusy);
        systemd.Notify($"STATUS=Draining: waiting for {requests} requests on {start.Busy + start.KeptForNextRequest} connections");
    }

    public void CloseSpreadOverridden(string signal) => LogCloseSpreadOverridden(logger, signal);

    /// <summary>The drain proper begins; its hard deadline is <paramref name="budget"/> from now (infinite: none).</summary>
    public void DrainWaiting(TimeSpan? systemdExtendInterval, TimeSpan budget) => stopTimeout.Start(systemdExtendInterval, budget);

    public void RequestCut(CutRequest request)
    {
        var ran = new LoggedDuration(request.Ran);
        LogRequestCut(logger, request.Method, request.Path, request.ConnectionId, ran);
    }

    public void HandlersIgnoredAbort(int connections, TimeSpan grace)
    {
        var waited = new LoggedDuration(grace);
        LogHandlersIgnoredAbort(logger, connections, waited);
    }

    public void Drained(TimeSpan took, DrainResult result, int connectionsLeftAtStart, int closedWithoutRequest, TimeSpan requestBound,
        Http2GoAways? http2Closes)
    {
        stopTimeout.Stop();
        recorder.PhaseEnded(ShutdownPhase.Drain.ReportName());
        recorder.ClosedWithoutRequest(closedWithoutRequest);
        recorder.Http2Closed(http2Closes);
        if (closedWithoutRequest > 0)
        {
            var bound = new LoggedDuration(requestBound);
            LogClosedWithoutRequest(logger, bound, closedWithoutRequest);
        }

        metrics.DrainEnded(result.Duration, result.Completed, result.Cut.Count);
        var elapsed = new LoggedDuration(took);
        if (result.Completed)
        {
            LogDrained(logger, elapsed, result.RequestsAtStart, connectionsLeftAtStart);
        }
        else
        {
            var cutConnections = result.Cut.Select(c => c.ConnectionId).Distinct().Count();
            LogDrainCut(logger, elapsed, result.Cut.Count, cutConnections);
        }
    }

    public void HooksStarted() => systemd.Notify("STATUS=Running shutdown hooks");

    public void HooksRan(TimeSpan took, HookCounts hooks)
    {
        recorder.PhaseEnded(ShutdownPhase.Hooks.ReportName());
        var elapsed = new LoggedDuration(took);
        LogHooksRan(logger, elapsed, hooks.Count, hooks.Failed);
    }

    /// <summary>The last event: the report is built, written, logged and sent to systemd.</summary>
    public ShutdownReport Exited(TimeSpan sinceTrigger, int exitCode, List<InFlightRequest> requests, long? softDeadlineAt)
    {
        recorder.PhaseEnded(ShutdownPhase.Exit.ReportName());
        var report = recorder.Build(exitCode, [.. requests.Select(r => new ReportedRequest(r.Method, r.Path, r.ConnectionId,
            recorder.Utc(r.StartedAt), r.EndedAt is { } end ? recorder.Utc(end) : null, Outcome(r, softDeadlineAt)))]);
        reportWriter.Write(report);
        var elapsed = new LoggedDuration(sinceTrigger);
        LogExited(logger, elapsed, report.ExitCode, report);
        systemd.Notify($"STATUS=Stopped: {report}");
        return report;
    }

    /// <summary>The longest the stop can take, said once at start-up.</summary>
    public void Budget(StopBudget budget)
    {
        if (budget is { CutsDrain: true, AppShutdownTimeout: { } appTimeout })
        {
            var (total, app, preStop, drain, hooks) = (new LoggedDuration(budget.Total), new LoggedDuration(appTimeout),
                new LoggedDuration(budget.PreStopDelay), new LoggedDuration(budget.Drain), new LoggedDuration(budget.Hooks));
            LogBudgetCutsDrain(logger, total, app, preStop, drain, hooks);
        }
        else if (budget.IsBounded)
        {
            var (total, preStop, drain, hooks, hosted) = (new LoggedDuration(budget.Total), new LoggedDuration(budget.PreStopDelay),
                new LoggedDuration(budget.Drain), new LoggedDuration(budget.Hooks), new LoggedDuration(budget.HostedServices));
            LogBoundedBudget(logger, total, preStop, drain, hooks, hosted);
        }
        else
        {
            LogUnboundedBudget(logger);
        }
    }

    private static string Outcome(InFlightRequest request, long? softDeadlineAt) =>
        request.Aborted ? RequestOutcome.Aborted
        : request.EndedAt is not { } end ? RequestOutcome.Running
        : softDeadlineAt is { } soft && end >= soft ? RequestOutcome.CompletedAfterSoftDeadline
        : RequestOutcome.Completed;
}
