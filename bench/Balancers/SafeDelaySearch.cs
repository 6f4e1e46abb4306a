using System.Globalization;
using Graceful.Harness;

namespace Balancers;

/// <summary>
/// The smallest fixed pre-stop delay that lost nothing, found by trying: start at the latest the balancer's own log
/// showed it sending after a signal (rounded up to the step), then step down while nothing fails and up while
/// something does, at most three tries. Shared by the matrix and the varying-lag comparison.
/// </summary>
internal static class SafeDelaySearch
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    /// <summary>The latest the balancer's log shows it sending an instance a request after its signal (1 s when none).</summary>
    public static TimeSpan LatestSent(RollingResult result) =>
        result.Restarts.Where(r => r.LastRequestBeforeClose is not null).Select(r => r.LastRequestBeforeClose!.Value - r.SignalledAt)
            .DefaultIfEmpty(TimeSpan.FromSeconds(1)).Max();

    /// <summary>Tries delays from <paramref name="lastSent"/>; <paramref name="failedWith"/> runs the restarts with one and counts failures.</summary>
    public static async Task<List<(TimeSpan Delay, int Failed)>> RunAsync(TimeSpan lastSent, Func<TimeSpan, Task<int>> failedWith)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Max(Step.TotalMilliseconds, Math.Ceiling(lastSent / Step) * Step.TotalMilliseconds));
        var tries = new List<(TimeSpan Delay, int Failed)>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var failed = await failedWith(delay);
            tries.Add((delay, failed));
            var lostBelow = tries.Any(t => t.Failed > 0 && t.Delay < delay);
            var safeAbove = tries.Any(t => t.Failed == 0 && t.Delay > delay);
            if ((failed == 0 && (lostBelow || delay <= Step)) || (failed > 0 && safeAbove))
            {
                break;
            }

            delay = failed == 0 ? delay - Step : delay + (2 * Step);
        }

        return tries;
    }

    /// <summary>The safe delay and every try, as a table cell.</summary>
    public static string Cell(List<(TimeSpan Delay, int Failed)> tries)
    {
        var safe = tries.Where(t => t.Failed == 0).Select(t => (TimeSpan?)t.Delay).Min();
        return string.Create(CultureInfo.InvariantCulture,
            $"{(safe is { } s ? $"{s.TotalSeconds:0.00} s" : "none found")} ({string.Join(", ", tries.Select(t => $"{t.Delay.TotalSeconds:0.00}: {t.Failed}"))})");
    }

    /// <summary>SlowService with a fixed pre-stop delay and a report.</summary>
    public static List<string> Fixed(string slowService, TimeSpan delay) =>
        [slowService, "--pre-stop-delay", Ms(delay), "--report", "{report}"];

    public static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms");
}
