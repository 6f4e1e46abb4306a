using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Shutdown.Hooks;
using Graceful.AspNetCore.Shutdown.PreStop;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Listeners;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// Owns the shutdown sequence. A trigger (a signal, <see cref="ShutdownAsync"/>, <c>StopApplication</c>, an upgrade's
/// hand-over) starts it once; later triggers join it. The phases (<see cref="ShutdownPhase"/>) run in this order:
/// <list type="number">
/// <item>trigger: readiness reports Unhealthy, <see cref="Begun"/> fires, the requests in flight are noted for the report;</item>
/// <item>pre-stop: everything goes on serving for <see cref="GracefulOptions.PreStopDelay"/>, or (adaptive) until no
/// request has arrived for <see cref="GracefulOptions.PreStopQuietPeriod"/>, at most <see cref="GracefulOptions.PreStopMaxDelay"/>;
/// skipped after a hand-over or before serving; the signal path asks the host to stop only after it;</item>
/// <item>stop accepting: connections already queued are accepted, then every listener closes, so new connections are
/// refused; the soft deadline is armed from here;</item>
/// <item>close idle: idle connections close now, busy ones answer their current request with <c>Connection: close</c>,
/// and those used within the idle grace stay open for the client's next request (answered with <c>Connection: close</c>);</item>
/// <item>drain: wait until the last connection closes. At <see cref="GracefulOptions.SoftDrainTimeout"/> (soft deadline)
/// handlers are told through <see cref="IShutdownTokens.SoftDeadline"/>; at <see cref="GracefulOptions.DrainTimeout"/>,
/// a repeated signal, the caller's deadline or the host's stop token (hard deadline) what runs is aborted, each
/// connection gets one second to let go, and Kestrel is stopped at once;</item>
/// <item>hooks: shutdown hooks run in registration order, each within its own timeout;</item>
/// <item>(the host stops its hosted services and Kestrel, which by now finds nothing left to cut; then the transports of
/// idle connections the drain ended at their socket are released in the background;)</item>
/// <item>report and exit: <see cref="Exit"/> builds the report and decides the exit code (<see cref="ShutdownResult"/>).</item>
/// </list>
/// Phases 3–6 run in <see cref="IHostedLifecycleService.StoppingAsync"/>, before any hosted service stops (a signal
/// runs the pre-stop first and only then asks the host to stop), or earlier when <see cref="ShutdownAsync"/> starts them. Every side effect beyond the sequence itself (log, metrics, systemd,
/// report) goes through <see cref="ShutdownEvents"/>. It does not set the process's exit code: the host lifetime
/// does, from the result.
/// </summary>
internal sealed class ShutdownCoordinator(
    ListenerRegistry listeners,
    ConnectionTracker connections,
    RequestJournal journal,
    ShutdownTokens tokens,
    PreStopWait preStop,
    ShutdownHookRunner hooks,
    ShutdownEvents events,
    ServerStop server,
    IHostApplicationLifetime lifetime,
    IOptions<GracefulOptions> options,
    TimeProvider time) : IHostedLifecycleService, IDisposable
{
    // Once aborted, a connection whose handler ignores RequestAborted is not waited for longer than this.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _begun = new();
    // The hard deadline, however it comes (see Cut); the first cause is the one reported.
    private readonly CancellationTokenSource _cut = new();
    private readonly TaskCompletionSource<ShutdownResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _cutBy;
    private ShutdownTrigger? _trigger;
    private int _phase;
    // Each runs once per shutdown, joined by every entry point that needs it.
    private Task? _preStop;
    private Task<DrainResult>? _drain;

    public bool IsShuttingDown => Volatile.Read(ref _trigger) is not null;

    /// <summary>The trigger, once a shutdown has begun.</summary>
    public ShutdownTrigger? Trigger => Volatile.Read(ref _trigger);

    /// <summary>The phase running now.</summary>
    public ShutdownPhase Phase => (ShutdownPhase)Volatile.Read(ref _phase);

    /// <summary>Cancelled the moment a shutdown begins, for work that must not outlive the process's decision to stop.</summary>
    public CancellationToken Begun => _begun.Token;

    /// <summary>Completes with the shutdown's result at its exit (<see cref="Exit"/>): what tests and callers read.</summary>
    public Task<ShutdownResult> Completion => _result.Task;

    /// <summary>Records the trigger; true only for the first, which then owns stopping the application.</summary>
    public bool TryBegin(string trigger, TriggerKind kind = TriggerKind.Stop)
    {
        var begun = new ShutdownTrigger(trigger, time.GetTimestamp(), kind);
        lock (_gate)
        {
            if (_trigger is not null)
            {
                events.AlreadyShuttingDown(trigger);
                return false;
            }

            Volatile.Write(ref _trigger, begun);
            Enter(ShutdownPhase.Triggered);
        }

        _begun.Cancel();
        // One walk of the connections: the requests are those it found, the connections the tracker's own count.
        var inFlight = connections.InFlightRequests();
        journal.Begin(inFlight);
        events.Begun(begun, (connections.OpenCount, inFlight.Count));
        return true;
    }

    /// <summary>
    /// A signal arrived while the shutdown was already under way (called once per shutdown). It overrides a close
    /// spread (<see cref="GracefulOptions.CloseSpread"/>) in any case: what is left closes at once.
    /// </summary>
    public void OnRepeatedSignal(string signal)
    {
        var spreadEnded = connections.CloseSpreadRestNow();
        if (Volatile.Read(ref _drain) is { IsCompleted: true })
        {
            events.RepeatedAfterDrain(signal);
        }
        else if (options.Value.SecondSignalForcesDeadline)
        {
            events.ForcingDeadline(signal);
            Cut(PreStopEndedBy.Signal);
        }
        else if (spreadEnded)
        {
            events.CloseSpreadOverridden(signal);
        }
        else
        {
            events.AlreadyShuttingDown(signal);
        }
    }

    /// <summary>The signal path: waits out the pre-stop, then lets the host stop (and so drain).</summary>
    public async Task StopApplicationAfterPreStopAsync()
    {
        await PreStopOnceAsync();
        lifetime.StopApplication();
    }

    /// <summary>The API path (<see cref="IGracefulShutdown.ShutdownAsync"/>): runs up to the end of the drain, then lets the host stop.</summary>
    public async Task<DrainResult> ShutdownAsync(CancellationToken deadline = default)
    {
        var first = TryBegin(nameof(IGracefulShutdown.ShutdownAsync));
        using var cut = deadline.Register(static state => ((ShutdownCoordinator)state!).Cut(PreStopEndedBy.Deadline), this);
        var result = await DrainOnceAsync();
        if (first)
        {
            lifetime.StopApplication();
        }

        return result;
    }

    /// <summary>The host's path: phases up to the hooks, before any hosted service stops.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host's token fires at HostOptions.ShutdownTimeout. Graceful extends that timeout past its own phases
        // unless the app set it, so the token cuts the drain only when the app (or StopAsync's caller) asked for it.
        if (!IsShuttingDown)
        {
            TryBegin(nameof(IHostApplicationLifetime.StopApplication));
        }

        await using (cancellationToken.Register(static state => ((ShutdownCoordinator)state!).CutAtHostTimeout(), this))
        {
            await DrainOnceAsync();
        }

        Enter(ShutdownPhase.Hooks);
        events.HooksStarted();
        var started = time.GetTimestamp();
        var ran = await hooks.RunAllAsync();
        events.HooksRan(time.GetElapsedTime(started), ran);
    }

    /// <summary>
    /// The last phase, once the host has stopped every hosted service: builds and writes the report and decides the
    /// exit code: <see cref="GracefulOptions.DeadlineExitCode"/> when the drain was cut, otherwise
    /// <paramref name="exitCodeSoFar"/> (what the application set). Null when no shutdown began.
    /// </summary>
    public ShutdownResult? Exit(int exitCodeSoFar)
    {
        if (Trigger is not { } trigger)
        {
            return null;
        }

        Enter(ShutdownPhase.Exit);
        var drain = Volatile.Read(ref _drain) is { IsCompletedSuccessfully: true } done ? done.Result : null;
        var exitCode = drain is { Completed: false } ? options.Value.DeadlineExitCode : exitCodeSoFar;
        var report = events.Exited(time.GetElapsedTime(trigger.Timestamp), exitCode, journal.Snapshot(), tokens.SoftDeadlineAt);
        var result = new ShutdownResult(report, drain);
        _result.TrySetResult(result);
        return result;
    }

    private Task PreStopOnceAsync()
    {
        lock (_gate)
        {
            return _preStop ??= _trigger!.HasPreStop ? PreStopAsync() : Task.CompletedTask;
        }
    }

    private Task<DrainResult> DrainOnceAsync()
    {
        lock (_gate)
        {
            return _drain ??= DrainAsync(_trigger!);
        }
    }

    // Readiness already reports Unhealthy (a shutdown has begun); everything else goes on as before until the
    // balancer has had its time (fixed) or has stopped sending (adaptive). A cut ends it early, and applies to the drain.
    private async Task PreStopAsync()
    {
        var settings = options.Value;
        if (settings.PreStopDelay <= TimeSpan.Zero && settings.PreStopQuietPeriod is null)
        {
            return;
        }

        Enter(ShutdownPhase.PreStop);
        events.PreStopStarted(settings, connections.Count());
        var end = await preStop.RunAsync(settings, _trigger!.Timestamp, () => _cutBy ?? PreStopEndedBy.Signal, _cut.Token);
        events.PreStopEnded(end);
    }

    // Pre-stop, stop accepting, close idle, drain: the sequence up to the drain's end, in its order.
    private async Task<DrainResult> DrainAsync(ShutdownTrigger trigger)
    {
        await PreStopOnceAsync();

        Enter(ShutdownPhase.StopAccepting);
        var drainStart = time.GetTimestamp();
        var drainTimeout = options.Value.DrainTimeout;
        var endpoints = await listeners.StopAcceptingAsync(trigger.Kind == TriggerKind.Handover,
            drainTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : drainTimeout, _cut.Token);
        if (options.Value.SoftDrainTimeout is var soft && soft != Timeout.InfiniteTimeSpan)
        {
            tokens.ScheduleSoftDeadline(soft - time.GetElapsedTime(drainStart));
        }

        events.StoppedAccepting(time.GetElapsedTime(drainStart), endpoints);

        Enter(ShutdownPhase.CloseIdle);
        var phase = time.GetTimestamp();
        var idleGrace = options.Value.IdleGrace;
        connections.KeepsIdleHttp2 = Http2GoAwayGrace.Of(options.Value) > TimeSpan.Zero;
        var spread = CloseSpreadWindow(drainStart, idleGrace);
        // Counts the connections and their requests in the same walk that closes them.
        var start = connections.BeginDrain(idleGrace, options.Value.DrainReadHeaderTimeout, events.DrainProgress, spread);
        var (connectionsAtStart, requestsAtStart) = (start.Total, start.Requests);
        tokens.StartDraining();
        events.ClosedIdle(time.GetElapsedTime(phase), start, idleGrace, requestsAtStart, spread);

        Enter(ShutdownPhase.Drain);
        phase = time.GetTimestamp();
        var cut = await WaitForInFlightAsync(drainStart);
        connections.StopSpread();
        var result = new DrainResult(cut.Count == 0, trigger.Name, time.GetElapsedTime(trigger.Timestamp),
            connectionsAtStart, requestsAtStart, start.IdleClosed, cut);
        events.Drained(time.GetElapsedTime(phase), result, connectionsAtStart - start.IdleClosed,
            connections.ClosedWithoutRequestCount, options.Value.DrainReadHeaderTimeout, connections.Http2ClosedServing + connections.Http2ClosedIdle > 0
                ? new Http2GoAways(connections.Http2ClosedServing, connections.Http2ClosedIdle)
                : null);
        if (!result.Completed)
        {
            await server.StopNowAsync();
        }

        return result;
    }

    // The spread's window, bounded by the drain deadline: the last connection's moment leaves it the idle grace before
    // the deadline. Zero (or less): no spread.
    private TimeSpan CloseSpreadWindow(long drainStart, TimeSpan idleGrace)
    {
        if (options.Value.CloseSpread is not { } window)
        {
            return TimeSpan.Zero;
        }

        var drainTimeout = options.Value.DrainTimeout;
        var left = drainTimeout == Timeout.InfiniteTimeSpan ? window : drainTimeout - time.GetElapsedTime(drainStart) - idleGrace;
        return left < window ? left : window;
    }

    // The drain proper: the hard deadline is DrainTimeout from the drain's start, or any earlier cut.
    private async Task<IReadOnlyList<CutRequest>> WaitForInFlightAsync(long drainStart)
    {
        var allClosed = connections.WhenAllClosedAsync();
        if (allClosed.IsCompleted)
        {
            // Nothing left open (an idle server): no deadline to arm.
            return [];
        }

        var drainTimeout = options.Value.DrainTimeout;
        var budget = drainTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan
            : drainTimeout - time.GetElapsedTime(drainStart) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        // On the injected clock, as the soft deadline is: the two stages must keep their order on any clock.
        events.DrainWaiting(options.Value.SystemdExtendInterval, budget);
        using var expired = new CancellationTokenSource(budget, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_cut.Token, expired.Token);

        try
        {
            await allClosed.WaitAsync(deadline.Token);
            return [];
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return await AbortRemainingAsync(allClosed);
        }
    }

    private async Task<IReadOnlyList<CutRequest>> AbortRemainingAsync(Task allClosed)
    {
        var now = time.GetTimestamp();
        var running = connections.InFlightRequests();
        running.ForEach(r => r.MarkAborted());
        var cut = running
            .Select(r => new CutRequest(r.Method, r.Path, r.ConnectionId, time.GetElapsedTime(r.StartedAt, now)))
            .ToList();
        cut.ForEach(events.RequestCut);
        connections.AbortAll("Graceful: drain deadline reached");
        try
        {
            await allClosed.WaitAsync(AbortGrace, time);
        }
        catch (TimeoutException)
        {
            events.HandlersIgnoredAbort(connections.OpenCount, AbortGrace);
        }

        return cut;
    }

    private void CutAtHostTimeout()
    {
        if (_drain is not { IsCompleted: true })
        {
            events.HostTimeoutCut();
            Cut(PreStopEndedBy.HostTimeout);
        }
    }

    // Ends the pre-stop and the drain now; the first cause is the one reported.
    private void Cut(string by)
    {
        Interlocked.CompareExchange(ref _cutBy, by, null);
        _cut.Cancel();
    }

    private void Enter(ShutdownPhase phase) => Volatile.Write(ref _phase, (int)phase);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Every hosted service, Kestrel included, has stopped: the transports of idle connections that the drain ended at
    /// their socket are released in the background (<see cref="ConnectionTracker.ReleaseEndedTransports"/>).
    /// </summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        connections.ReleaseEndedTransports();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // A host disposed without reaching StoppedAsync (its stop was cut) still releases them.
        connections.ReleaseEndedTransports();
        _cut.Dispose();
        _begun.Dispose();
    }
}
