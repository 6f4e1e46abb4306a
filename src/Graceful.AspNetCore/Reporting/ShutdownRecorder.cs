using Graceful.AspNetCore.Connections;
using Graceful.AspNetCore.Draining;
using Graceful.AspNetCore.PreStop;
using Graceful.AspNetCore.Requests;

namespace Graceful.AspNetCore.Reporting;

/// <summary>
/// Collects what the shutdown report needs while the shutdown runs: the requests in flight at the signal and those
/// arriving after it, the phases' durations and how the connections were handled.
/// </summary>
internal sealed class ShutdownRecorder(ShutdownTokens tokens, TimeProvider time)
{
    private readonly HashSet<InFlightRequest> _requests = new(ReferenceEqualityComparer.Instance);
    private readonly List<PhaseTiming> _phases = [];
    private ShutdownTrigger? _trigger;
    private DateTimeOffset _startedAtUtc;
    private long _lastPhaseEnd;
    private volatile bool _recording;
    private PreStopEnd? _preStop;

    public bool IsRecording => _recording;

    public DrainStart DrainStart { get; set; }

    /// <summary>Connections the drain closed because they did not complete a request in time.</summary>
    public int ClosedWithoutRequest { get; set; }

    public void Begin(ShutdownTrigger trigger, IEnumerable<InFlightRequest> inFlight)
    {
        lock (_requests)
        {
            _trigger = trigger;
            _startedAtUtc = time.GetUtcNow() - time.GetElapsedTime(trigger.Timestamp);
            _lastPhaseEnd = trigger.Timestamp;
            _requests.UnionWith(inFlight);
            _recording = true;
        }
    }

    public void Add(InFlightRequest request)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }
    }

    /// <summary>Records the pre-stop's end: its phase and what ended it.</summary>
    public void PreStopEnded(PreStopEnd end)
    {
        PhaseEnded("pre-stop-delay");
        Volatile.Write(ref _preStop, end);
    }

    /// <summary>Records a phase that ended now.</summary>
    public void PhaseEnded(string name)
    {
        var now = time.GetTimestamp();
        lock (_requests)
        {
            _phases.Add(new PhaseTiming(name, time.GetElapsedTime(_lastPhaseEnd, now).TotalSeconds));
            _lastPhaseEnd = now;
        }
    }

    public ShutdownReport Build(int exitCode)
    {
        PhaseEnded("exit");
        lock (_requests)
        {
            var trigger = _trigger ?? throw new InvalidOperationException("No shutdown has begun.");
            var soft = tokens.SoftDeadlineAt;
            var requests = _requests
                .OrderBy(r => r.StartedAt)
                .Select(r => new ReportedRequest(r.Method, r.Path, r.ConnectionId, Utc(trigger, r.StartedAt),
                    r.EndedAt is { } end ? Utc(trigger, end) : null, Outcome(r, soft)))
                .ToList();
            var start = DrainStart;
            return new ShutdownReport(
                trigger.Name,
                _startedAtUtc,
                exitCode,
                time.GetElapsedTime(trigger.Timestamp).TotalSeconds,
                [.. _phases],
                new ConnectionCounts(start.Total, start.Busy, start.IdleClosed, start.KeptForNextRequest),
                _preStop is { } preStop
                    ? new PreStopSummary(preStop.EndedBy, preStop.Elapsed.TotalSeconds, preStop.Traffic.Requests, preStop.Traffic.Connections, preStop.Traffic.Addresses)
                    : null,
                ClosedWithoutRequest,
                requests,
                new RequestTotals(
                    requests.Count,
                    requests.Count(r => r.Outcome == RequestOutcome.Completed),
                    requests.Count(r => r.Outcome == RequestOutcome.CompletedAfterSoftDeadline),
                    requests.Count(r => r.Outcome == RequestOutcome.Aborted)));
        }
    }

    private DateTimeOffset Utc(ShutdownTrigger trigger, long timestamp) =>
        _startedAtUtc + time.GetElapsedTime(trigger.Timestamp, timestamp);

    private static string Outcome(InFlightRequest request, long? softDeadlineAt) =>
        request.Aborted ? RequestOutcome.Aborted
        : request.EndedAt is not { } end ? RequestOutcome.Running
        : softDeadlineAt is { } soft && end >= soft ? RequestOutcome.CompletedAfterSoftDeadline
        : RequestOutcome.Completed;
}
