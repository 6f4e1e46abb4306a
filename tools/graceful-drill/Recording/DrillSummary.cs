namespace Graceful.Drill.Recording;

/// <summary>Totals of a drill: what the summary table, the JSON and the HTML report lead with.</summary>
public sealed record DrillSummary(
    long Requests,
    long Ok,
    long NonSuccess,
    long Lost,
    long Refused,
    long TimedOut,
    double DurationMs,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    double? LatencyMaxMs)
{
    public long Failed => NonSuccess + Lost + Refused + TimedOut;

    public static DrillSummary Of(IReadOnlyList<RequestRecord> requests, double durationMs)
    {
        long Count(Outcome outcome) => requests.LongCount(r => r.Outcome == outcome);

        // Latency of answered requests from when the schedule wanted them sent: open-loop, queueing included.
        var latencies = requests.Where(r => r.Outcome is Outcome.Ok or Outcome.NonSuccess).Select(r => r.End - r.Scheduled).Order().ToArray();
        double? Percentile(double p) => latencies.Length == 0 ? null : latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))];

        return new DrillSummary(requests.Count, Count(Outcome.Ok), Count(Outcome.NonSuccess), Count(Outcome.Lost), Count(Outcome.Refused),
            Count(Outcome.TimedOut), durationMs, Percentile(0.50), Percentile(0.99), latencies.Length == 0 ? null : latencies[^1]);
    }
}
