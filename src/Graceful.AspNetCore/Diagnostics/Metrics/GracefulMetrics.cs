using System.Diagnostics.Metrics;

namespace Graceful.AspNetCore.Diagnostics.Metrics;

/// <summary>
/// Graceful's instruments, on one meter named <see cref="GracefulMeter.Name"/>, in OpenTelemetry semantic-convention style
/// (dotted lower-case names, UCUM units, seconds for durations). Recording costs nothing measurable while no
/// listener is attached.
/// </summary>
internal sealed class GracefulMetrics
{
    private readonly UpDownCounter<long> _activeRequests;
    private readonly UpDownCounter<long> _openConnections;
    private readonly Histogram<double> _drainDuration;
    private readonly Counter<long> _abortedRequests;
    private int _draining;

    public GracefulMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GracefulMeter.Name);
        _activeRequests = meter.CreateUpDownCounter<long>("graceful.server.active_requests", "{request}",
            "Requests the application is handling now.");
        _openConnections = meter.CreateUpDownCounter<long>("graceful.server.open_connections", "{connection}",
            "Connections accepted and not yet closed.");
        meter.CreateObservableGauge("graceful.server.draining", () => Volatile.Read(ref _draining), "{state}",
            "1 while the server drains for shutdown, 0 otherwise.");
        _drainDuration = meter.CreateHistogram("graceful.server.drain.duration", "s",
            "From the shutdown signal to the end of the drain.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300] });
        _abortedRequests = meter.CreateCounter<long>("graceful.server.aborted_requests", "{request}",
            "Requests whose connection was aborted at the drain deadline.");
    }

    public void RequestStarted() => _activeRequests.Add(1);

    public void RequestEnded() => _activeRequests.Add(-1);

    public void ConnectionOpened() => _openConnections.Add(1);

    public void ConnectionClosed() => _openConnections.Add(-1);

    public void DrainStarted() => Volatile.Write(ref _draining, 1);

    public void DrainEnded(TimeSpan sinceSignal, bool completed, int aborted)
    {
        Volatile.Write(ref _draining, 0);
        _drainDuration.Record(sinceSignal.TotalSeconds, new KeyValuePair<string, object?>("graceful.drain.outcome", completed ? "completed" : "cut"));
        if (aborted > 0)
        {
            _abortedRequests.Add(aborted);
        }
    }
}
