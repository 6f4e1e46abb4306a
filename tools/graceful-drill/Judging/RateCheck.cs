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
        if (profile.Rate <= 0 || summary.AchievedRate is not { } achieved || achieved >= profile.Rate * (1 - Tolerance))
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"The load reached {achieved:0.#} requests/s of the {profile.Rate:0.#} asked ({1 - (achieved / profile.Rate):0%} short; {unsent} due requests never sent): " +
            $"{profile.Concurrency} connections could not keep the pace. Raise --concurrency or lower --rate; latency from schedule includes the wait.");
    }
}
