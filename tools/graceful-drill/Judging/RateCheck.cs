using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Judging;

/// <summary>
/// A paced load that fell more than 10 % short of its rate did not test what was asked: the service saw less traffic,
/// and the requests that waited for a connection carry the wait in their latency from schedule. A warning, not a
/// failure: what was sent was still recorded and judged.
/// </summary>
public static class RateCheck
{
    public const double Tolerance = 0.10;

    public static string? Warning(LoadProfile profile, DrillSummary summary, long unsent)
    {
        if (profile.Rate <= 0)
        {
            return null;
        }

        // The first signal's window first: the load the service was under when it came.
        (double Rate, string Window)? shortfall =
            summary.AchievedRateBeforeSignal is { } before && before < profile.Rate * (1 - Tolerance) ? (before, "before the first signal")
            : summary.AchievedRate is { } overall && overall < profile.Rate * (1 - Tolerance) ? (overall, "over the load")
            : null;
        if (shortfall is not { } s)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"The load reached {s.Rate:0.#} requests/s {s.Window}, {1 - (s.Rate / profile.Rate):0%} short of the {profile.Rate:0.#} asked{(unsent > 0 ? $" ({unsent} due requests never sent)" : "")}: " +
            $"{profile.Concurrency} connection{(profile.Concurrency == 1 ? "" : "s")} could not keep the pace. Raise --concurrency or lower --rate; latency from schedule includes the wait.");
    }
}
