using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Connections;
using Graceful.AspNetCore.Hooks;
using Graceful.AspNetCore.Listeners;
using Graceful.AspNetCore.Metrics;
using Graceful.AspNetCore.PreStop;
using Graceful.AspNetCore.Reporting;
using Graceful.AspNetCore.Systemd;
using Graceful.AspNetCore.Upgrades;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Draining;

/// <summary>
/// Owns the order of a graceful shutdown. From the trigger (a signal, <see cref="ShutdownAsync"/> or
/// <c>StopApplication</c>) the phases run once, in this order:
/// <list type="number">
/// <item>stop accepting: every listener closes, so new connections are refused; accepted ones are untouched;</item>
/// <item>close idle connections: idle ones close now, busy ones answer their current request with
/// <c>Connection: close</c>, and those used within the idle grace stay open for the client's next request (answered
/// with <c>Connection: close</c>) so a client that is sending as the drain starts gets a response, not a reset;</item>
/// <item>wait for in-flight requests, until the last connection closes or the deadline aborts what is left;</item>
/// <item>run shutdown hooks, in registration order, each within its own timeout;</item>
/// <item>exit: the host stops hosted services and Kestrel, which by now finds nothing left to cut.</item>
/// </list>
/// Phases 1–4 run in <see cref="IHostedLifecycleService.StoppingAsync"/>, before any hosted service stops.
/// </summary>
internal sealed partial class ShutdownCoordinator(
    ListenerRegistry listeners,
    ListenSocketBroker unixSockets,
    ConnectionTracker connections,
    ShutdownHookRunner hooks,
    ShutdownTokens tokens,
    GracefulMetrics metrics,
    ShutdownRecorder recorder,
    PreStopWait preStop,
    SystemdNotifier systemd,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IOptions<GracefulOptions> options,
    TimeProvider time,
    ILogger<ShutdownCoordinator> logger) : IHostedLifecycleService, IDisposable
{
    // Once aborted, a connection whose handler ignores RequestAborted is not waited for longer than this.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _cut = new();
    private string? _cutBy;
    private readonly CancellationTokenSource _begun = new();
    private readonly Lock _gate = new();
    private ShutdownTrigger? _trigger;
    private Task<DrainResult>? _drain;
    private Task? _preStop;
    private bool _handedOver;

    public bool IsShuttingDown => Volatile.Read(ref _trigger) is not null;

    /// <summary>The trigger, once a shutdown has begun.</summary>
    public ShutdownTrigger? Trigger => Volatile.Read(ref _trigger);

    /// <summary>Cancelled the moment a shutdown begins, for work that must not outlive the process's decision to stop.</summary>
    public CancellationToken Begun => _begun.Token;

    /// <summary>Records the trigger; true only for the first, which then owns stopping the application.</summary>
    public bool TryBegin(string trigger) => TryBegin(trigger, handover: false);

    /// <summary>
    /// Begins the shutdown that follows an upgrade's hand-over: no pre-stop delay (the successor accepts on the same
    /// sockets, so there is nothing for a load balancer to learn) and no STOPPING=1 (systemd now follows the successor).
    /// False if a shutdown had already begun.
    /// </summary>
    public bool TryBeginHandover(string trigger) => TryBegin(trigger, handover: true);

    /// <summary>
    /// Begins the shutdown that a signal during start-up asked for: no pre-stop delay, since the application never
    /// served and no load balancer has anything to learn.
    /// </summary>
    public bool TryBeginBeforeServing(string trigger)
    {
        lock (_gate)
        {
            _preStop ??= Task.CompletedTask;
        }

        return TryBegin(trigger);
    }

    private bool TryBegin(string trigger, bool handover)
    {
        var begun = new ShutdownTrigger(trigger, time.GetTimestamp());
        lock (_gate)
        {
            if (Interlocked.CompareExchange(ref _trigger, begun, null) is not null)
            {
                LogAlreadyShuttingDown(logger, trigger);
                return false;
            }

            if (handover)
            {
                _preStop = Task.CompletedTask;
                _handedOver = true;
            }
        }

        _begun.Cancel();
        recorder.Begin(begun, connections.InFlightRequests());
        var (open, inFlight) = connections.Count();
        LogShutdownStarted(logger, trigger, inFlight, open);
        if (!handover)
        {
            systemd.Notify($"STOPPING=1\nSTATUS={trigger} received: draining {inFlight} requests on {open} connections");
        }

        return true;
    }

    /// <summary>A signal arrived while the shutdown was already under way (called once per shutdown).</summary>
    public void OnRepeatedSignal(string signal)
    {
        if (Volatile.Read(ref _drain) is { IsCompleted: true })
        {
            LogRepeatedAfterDrain(logger, signal);
        }
        else if (options.Value.SecondSignalForcesDeadline)
        {
            LogForcingDeadline(logger, signal);
            Cut(PreStopEndedBy.Signal);
        }
        else
        {
            LogAlreadyShuttingDown(logger, signal);
        }
    }

    /// <summary>The signal path: waits out the pre-stop delay, then lets the host stop (and so drain).</summary>
    public async Task StopApplicationAfterPreStopDelayAsync()
    {
        await PreStopDelayOnceAsync();
        lifetime.StopApplication();
    }

    public async Task<DrainResult> ShutdownAsync(CancellationToken deadline = default)
    {
        var first = TryBegin(nameof(IGracefulShutdown.ShutdownAsync));
        using var cut = deadline.Register(static state => ((ShutdownCoordinator)state!).Cut(PreStopEndedBy.Deadline), this);
        await PreStopDelayOnceAsync();
        var result = await DrainOnceAsync();
        if (first)
        {
            lifetime.StopApplication();
        }

        return result;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host's token fires at HostOptions.ShutdownTimeout. Graceful extends that timeout past its own phases
        // unless the app set it, so the token cuts the drain only when the app (or StopAsync's caller) asked for it.
        TryBeginQuietly(nameof(IHostApplicationLifetime.StopApplication));
        await using (cancellationToken.Register(static state => ((ShutdownCoordinator)state!).CutAtHostTimeout(), this))
        {
            await PreStopDelayOnceAsync();
            await DrainOnceAsync();
        }

        systemd.Notify("STATUS=Running shutdown hooks");
        await hooks.RunAllAsync();
        recorder.PhaseEnded("hooks");
    }

    private void CutAtHostTimeout()
    {
        if (_drain is not { IsCompleted: true })
        {
            LogHostTimeoutCut(logger);
            Cut(PreStopEndedBy.HostTimeout);
        }
    }

    // Ends the pre-stop and the drain now; the first cause is the one reported.
    private void Cut(string by)
    {
        Interlocked.CompareExchange(ref _cutBy, by, null);
        _cut.Cancel();
    }

    private void TryBeginQuietly(string trigger)
    {
        if (!IsShuttingDown)
        {
            TryBegin(trigger);
        }
    }

    private Task PreStopDelayOnceAsync()
    {
        lock (_gate)
        {
            return _preStop ??= PreStopDelayAsync();
        }
    }

    // Readiness already reports Unhealthy (a shutdown has begun); everything else goes on as before until the
    // balancer has had its time (fixed) or has stopped sending (adaptive). A cut ends it early, and applies to the drain.
    private async Task PreStopDelayAsync()
    {
        var settings = options.Value;
        if (settings.PreStopDelay <= TimeSpan.Zero && settings.PreStopQuietPeriod is null)
        {
            return;
        }

        var (open, inFlight) = connections.Count();
        if (settings.PreStopQuietPeriod is { } quiet)
        {
            var (quietFor, minimum, maximum) = (new LoggedDuration(quiet), new LoggedDuration(settings.PreStopDelay), new LoggedDuration(settings.PreStopMaxDelay));
            LogAdaptivePreStop(logger, quietFor, minimum, maximum, inFlight, open);
            systemd.Notify($"STATUS=Pre-stop: serving until no request has arrived for {quietFor}, while readiness reports Unhealthy");
        }
        else
        {
            var length = new LoggedDuration(settings.PreStopDelay);
            LogPreStopDelay(logger, length, inFlight, open);
            systemd.Notify($"STATUS=Pre-stop delay: serving for {length} more while readiness reports Unhealthy");
        }

        var end = await preStop.RunAsync(settings, _trigger!.Timestamp, () => _cutBy ?? PreStopEndedBy.Signal, _cut.Token);
        recorder.PreStopEnded(end);
        LogPreStopEnd(end);
    }

    private void LogPreStopEnd(PreStopEnd end)
    {
        var (elapsed, traffic) = (new LoggedDuration(end.Elapsed), end.Traffic);
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

    private Task<DrainResult> DrainOnceAsync()
    {
        lock (_gate)
        {
            return _drain ??= DrainAsync(_trigger!);
        }
    }

    private async Task<DrainResult> DrainAsync(ShutdownTrigger trigger)
    {
        var phase = time.GetTimestamp();
        var drainStart = phase;
        if (!_handedOver)
        {
            // A successor accepts from the same sockets after a hand-over; otherwise what is queued is ours to serve.
            await AcceptBacklog.WaitUntilAcceptedAsync([.. unixSockets.OpenSockets().Select(s => s.Socket)], time);
        }

        var endpoints = await listeners.UnbindAllAsync();
        if (!_handedOver)
        {
            unixSockets.RemoveUnixSocketFiles();
        }

        metrics.DrainStarted();
        if (options.Value.SoftDrainTimeout is var soft && soft != Timeout.InfiniteTimeSpan)
        {
            tokens.ScheduleSoftDeadline(soft - time.GetElapsedTime(drainStart));
        }

        recorder.PhaseEnded("stop-accepting");
        var took = Since(phase);
        var endpointList = string.Join(", ", endpoints);
        LogStoppedAccepting(logger, took, endpoints.Count, endpointList);

        phase = time.GetTimestamp();
        var (connectionsAtStart, requestsAtStart) = connections.Count();
        var idleGrace = options.Value.IdleGrace;
        if (systemd.IsEnabled)
        {
            connections.ClosedWhileDraining = systemd.NotifyDrainProgress;
        }

        var start = connections.BeginDrain(idleGrace, options.Value.DrainReadHeaderTimeout);
        recorder.DrainStart = start;
        recorder.PhaseEnded("close-idle");
        tokens.StartDraining();
        took = Since(phase);
        var grace = new LoggedDuration(idleGrace);
        var keptAndBusy = new KeptAndBusy(start, grace);
        LogClosedIdle(logger, took, start.IdleClosed, keptAndBusy);
        systemd.Notify($"STATUS=Draining: waiting for {requestsAtStart} requests on {start.Busy + start.KeptForNextRequest} connections");

        phase = time.GetTimestamp();
        var cut = await WaitForInFlightAsync(drainStart);
        recorder.PhaseEnded("drain");
        recorder.ClosedWithoutRequest = connections.ClosedWithoutRequestCount;
        if (recorder.ClosedWithoutRequest > 0)
        {
            LogClosedWithoutRequest(logger, new LoggedDuration(options.Value.DrainReadHeaderTimeout), recorder.ClosedWithoutRequest);
        }

        took = Since(phase);
        var result = new DrainResult(cut.Count == 0, trigger.Name, time.GetElapsedTime(trigger.Timestamp),
            connectionsAtStart, requestsAtStart, start.IdleClosed, cut);
        metrics.DrainEnded(result.Duration, result.Completed, cut.Count);
        if (result.Completed)
        {
            LogDrained(logger, took, requestsAtStart, connectionsAtStart - start.IdleClosed);
        }
        else
        {
            Environment.ExitCode = options.Value.DeadlineExitCode;
            LogDrainCut(logger, took, cut.Count, cut.Select(c => c.ConnectionId).Distinct().Count());
            // Kestrel's own stop would otherwise wait for abandoned handlers until the host's timeout.
            using var alreadyDue = new CancellationTokenSource();
            await alreadyDue.CancelAsync();
            // Resolved late: the host lifetime needs this coordinator before Kestrel may be built.
            await services.GetRequiredService<IServer>().StopAsync(alreadyDue.Token);
        }

        return result;
    }

    private async Task<IReadOnlyList<CutRequest>> WaitForInFlightAsync(long drainStart)
    {
        var allClosed = connections.WhenAllClosedAsync();
        var drainTimeout = options.Value.DrainTimeout;
        var budget = drainTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan
            : drainTimeout - time.GetElapsedTime(drainStart) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        // On the injected clock, as the soft deadline is: the two stages must keep their order on any clock.
        using var expired = new CancellationTokenSource(budget, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_cut.Token, expired.Token);

        try
        {
            await allClosed.WaitAsync(deadline.Token);
            return [];
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return await CutAsync(allClosed);
        }
    }

    private async Task<IReadOnlyList<CutRequest>> CutAsync(Task allClosed)
    {
        var now = time.GetTimestamp();
        var running = connections.InFlightRequests();
        running.ForEach(r => r.MarkAborted());
        var cut = running
            .Select(r => new CutRequest(r.Method, r.Path, r.ConnectionId, time.GetElapsedTime(r.StartedAt, now)))
            .ToList();
        foreach (var request in cut)
        {
            LogRequestCut(logger, request.Method, request.Path, request.ConnectionId, new LoggedDuration(request.Ran));
        }

        connections.AbortAll("Graceful: drain deadline reached");
        try
        {
            await allClosed.WaitAsync(AbortGrace, time);
        }
        catch (TimeoutException)
        {
            LogHandlersIgnoredAbort(logger, connections.OpenCount, new LoggedDuration(AbortGrace));
        }

        return cut;
    }

    private LoggedDuration Since(long timestamp) => new(time.GetElapsedTime(timestamp));

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _cut.Dispose();
        _begun.Dispose();
    }
}
