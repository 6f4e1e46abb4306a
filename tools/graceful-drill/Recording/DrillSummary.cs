using Graceful.Drill.Judging;

namespace Graceful.Drill.Recording;

/// <summary>
/// Totals of a drill: what the summary table, the JSON and the HTML report lead with. <see cref="AchievedRate"/> is
/// requests sent per second over the load (all outcomes), beside the rate asked; <see cref="AchievedRateBeforeSignal"/>
/// the same until the first signal, the load the service was under when it came (over the whole load, requests refused
/// in a burst once the service is gone can make up for a shortfall before). Latency is of answered requests, two
/// ways: <see cref="LatencyFromSent"/> from when each was written to its response (the service's time), and
/// <see cref="LatencyFromScheduled"/> from when the pace wanted it sent, any wait for a free connection included, so a
/// service that slows down cannot hide it by slowing the load too (coordinated omission): the honest figure for a paced
/// load. Unpaced, each request is due when its connection is free and the two are the same.
/// </summary>
public sealed record DrillSummary(
    long Requests,
    long Ok,
    long NonSuccess,
    long Lost,
    long Refused,
    long TimedOut,
    double DurationMs,
    double? AchievedRate,
    double? AchievedRateBeforeSignal,
    StatusCheck Statuses,
    Latency LatencyFromSent,
    Latency LatencyFromScheduled)
{
    public long Failed => NonSuccess + Lost + Refused + TimedOut;

    /// <summary>The totals of <paramref name="requests"/>; 503s with Retry-After from <paramref name="firstSignalAt"/> on are a draining service declining.</summary>
    public static DrillSummary Of(IReadOnlyList<RequestRecord> requests, double durationMs, ExpectedStatuses expected, double? firstSignalAt)
    {
        long Count(Outcome outcome) => requests.LongCount(r => r.Outcome == outcome);
        var answered = requests.Where(r => r.Outcome is Outcome.Ok or Outcome.NonSuccess).ToArray();

        return new DrillSummary(requests.Count, Count(Outcome.Ok), Count(Outcome.NonSuccess), Count(Outcome.Lost), Count(Outcome.Refused),
            Count(Outcome.TimedOut), durationMs, RatePerSecond(requests, durationMs), firstSignalAt is { } until ? RatePerSecond(requests, until) : null,
            StatusCheck.Of(answered, expected, firstSignalAt),
            Latency.Of(answered.Select(r => r.End - r.Start)), Latency.Of(answered.Select(r => r.End - r.Scheduled)));
    }

    /// <summary>Requests sent before <paramref name="until"/>, per second since the first was due (not since the clock started: the load takes a moment to start).</summary>
    private static double? RatePerSecond(IReadOnlyList<RequestRecord> requests, double until)
    {
        var from = requests.Count == 0 ? until : requests.Min(r => r.Scheduled);
        return until > from ? requests.Count(r => r.Start < until) / ((until - from) / 1000) : null;
    }
}

/// <summary>Percentiles of a latency, in milliseconds; null when no request was answered.</summary>
public sealed record Latency(double? P50Ms, double? P99Ms, double? MaxMs)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double? Percentile(double p) => sorted.Length == 0 ? null : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return new Latency(Percentile(0.50), Percentile(0.99), sorted.Length == 0 ? null : sorted[^1]);
    }
}
