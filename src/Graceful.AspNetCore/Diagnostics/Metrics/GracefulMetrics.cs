using System.Diagnostics.Metrics;

namespace Graceful.AspNetCore.Diagnostics.Metrics;

/// <summary>
/// Graceful's instruments, on one meter named <see cref="GracefulMeter.Name"/>, in OpenTelemetry semantic-convention style
/// (dotted lower-case names, UCUM units, seconds for durations). Only what ASP.NET Core's own meters do not say: the
/// requests and connections in flight are Kestrel's <c>kestrel.active_connections</c> and ASP.NET Core's
/// <c>http.server.active_requests</c>, so Graceful does not count them again (nor pay for it on every request).
/// The pre-stop gauge is the one a pull scraper can see: the instance still accepts while it runs.
/// </summary>
internal sealed class GracefulMetrics
{
    private readonly Histogram<double> _preStopDuration;
    private readonly Histogram<double> _drainDuration;
    private readonly Counter<long> _abortedRequests;
    private int _preStop;
    private int _draining;

    public GracefulMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GracefulMeter.Name);
        meter.CreateObservableGauge("graceful.server.pre_stop", () => Volatile.Read(ref _preStop), "{state}",
            "1 while the pre-stop runs (readiness reports Unhealthy, the listeners still accept), 0 otherwise.");
        _preStopDuration = meter.CreateHistogram("graceful.server.pre_stop.duration", "s",
            "From the shutdown signal to the listeners closing, tagged with what ended the pre-stop.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60] });
        meter.CreateObservableGauge("graceful.server.draining", () => Volatile.Read(ref _draining), "{state}",
            "1 while the server drains for shutdown (after the pre-stop, listeners closed), 0 otherwise.");
        _drainDuration = meter.CreateHistogram("graceful.server.drain.duration", "s",
            "From the shutdown signal to the end of the drain.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300] });
        _abortedRequests = meter.CreateCounter<long>("graceful.server.aborted_requests", "{request}",
            "Requests whose connection was aborted at the drain deadline.");
    }

    public void PreStopStarted() => Volatile.Write(ref _preStop, 1);

    public void PreStopEnded(TimeSpan elapsed, string endedBy)
    {
        Volatile.Write(ref _preStop, 0);
        // Only when someone listens: with no listener, the first Record would still cost its first call at the stop.
        if (_preStopDuration.Enabled)
        {
            _preStopDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("graceful.pre_stop.ended_by", endedBy));
        }
    }

    public void DrainStarted() => Volatile.Write(ref _draining, 1);

    public void DrainEnded(TimeSpan sinceSignal, bool completed, int aborted)
    {
        Volatile.Write(ref _draining, 0);
        if (_drainDuration.Enabled)
        {
            _drainDuration.Record(sinceSignal.TotalSeconds, new KeyValuePair<string, object?>("graceful.drain.outcome", completed ? "completed" : "cut"));
        }
        if (aborted > 0)
        {
            _abortedRequests.Add(aborted);
        }
    }
}
