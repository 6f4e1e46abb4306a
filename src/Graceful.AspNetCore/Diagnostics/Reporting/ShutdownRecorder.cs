namespace Graceful.AspNetCore.Diagnostics.Reporting;

/// <summary>
/// Collects what the shutdown report needs while the shutdown runs: when it began, the phases' durations, how the
/// pre-stop ended and how the connections were handled. The requests come at the end, in <see cref="Build"/>.
/// </summary>
internal sealed class ShutdownRecorder(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<PhaseTiming> _phases = [];
    private string? _trigger;
    private long _triggeredAt;
    private DateTimeOffset _startedAtUtc;
    private long _lastPhaseEnd;
    private PreStopSummary? _preStop;
    private ConnectionCounts _connections = new(0, 0, 0, 0);
    private int _closedWithoutRequest;
    private Http2GoAways? _http2;

    /// <summary>The shutdown began at <paramref name="timestamp"/> (on the recorder's clock).</summary>
    public void Begin(string trigger, long timestamp)
    {
        lock (_gate)
        {
            _trigger = trigger;
            _triggeredAt = timestamp;
            _startedAtUtc = time.GetUtcNow() - time.GetElapsedTime(timestamp);
            _lastPhaseEnd = timestamp;
        }
    }

    /// <summary>Records a phase that ended now.</summary>
    public void PhaseEnded(string name)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _phases.Add(new PhaseTiming(name, time.GetElapsedTime(_lastPhaseEnd, now).TotalSeconds));
            _lastPhaseEnd = now;
        }
    }

    public void PreStopEnded(PreStopSummary summary) => Volatile.Write(ref _preStop, summary);

    public void DrainStarted(ConnectionCounts connections) => Volatile.Write(ref _connections, connections);

    /// <summary>Connections the drain closed because they did not complete a request in time.</summary>
    public void ClosedWithoutRequest(int count) => Volatile.Write(ref _closedWithoutRequest, count);

    public void Http2Closed(Http2GoAways? goAways) => Volatile.Write(ref _http2, goAways);

    /// <summary>The time on the report's clock of <paramref name="timestamp"/>.</summary>
    public DateTimeOffset Utc(long timestamp)
    {
        lock (_gate)
        {
            return _startedAtUtc + time.GetElapsedTime(_triggeredAt, timestamp);
        }
    }

    public ShutdownReport Build(int exitCode, IReadOnlyList<ReportedRequest> requests)
    {
        lock (_gate)
        {
            var trigger = _trigger ?? throw new InvalidOperationException("No shutdown has begun.");
            return new ShutdownReport(
                trigger,
                _startedAtUtc,
                exitCode,
                time.GetElapsedTime(_triggeredAt).TotalSeconds,
                [.. _phases],
                _connections,
                _preStop,
                _closedWithoutRequest,
                _http2,
                requests,
                new RequestTotals(
                    requests.Count,
                    requests.Count(r => r.Outcome == RequestOutcome.Completed),
                    requests.Count(r => r.Outcome == RequestOutcome.CompletedAfterSoftDeadline),
                    requests.Count(r => r.Outcome == RequestOutcome.Aborted)));
        }
    }
}
