using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;

namespace Balancers;

/// <summary>What the varying-lag comparison runs: restarts per app, the lag range, the quiet periods to compare.</summary>
internal sealed record VaryingLagSettings(int Restarts, TimeSpan LagMin, TimeSpan LagMax, IReadOnlyList<TimeSpan> QuietPeriods,
    string SlowService, IReadOnlyList<BalancerSetup> Setups, IReadOnlyList<LoadShape> Loads);

/// <summary>
/// Balancers told from outside with a lag that differs from stop to stop (drawn from [LagMin, LagMax], the same draws
/// for every app), as Kubernetes endpoint propagation does. A fixed delay has to outlast the longest lag on every stop;
/// the adaptive pre-stop follows each stop's own lag. Side by side per cell: the fixed delay of the longest lag + 1 s,
/// the adaptive pre-stop with each quiet period, then the smallest fixed delay that lost nothing, found by trying.
/// </summary>
internal static class VaryingLag
{
    public static async Task RunAsync(VaryingLagSettings settings)
    {
        // Half the restarts per delay tried keeps the search within the budget; the apps themselves get the full count.
        var searchRestarts = Math.Max(3, settings.Restarts / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Two instances, 16 keep-alive clients on GET /ping; balancer told from outside {settings.LagMin.TotalSeconds:0.0#}-{settings.LagMax.TotalSeconds:0.0#} s " +
            $"after each SIGTERM (uniform, seeded: the same lags for every app); {settings.Restarts} restarts per app, {searchRestarts} per delay tried; adaptive: " +
            $"--pre-stop-quiet Q --pre-stop-max 15s"));
        Console.WriteLine();
        var quiets = string.Join(" | ", settings.QuietPeriods.Select(q => $"adaptive {SafeDelaySearch.Ms(q)}: failed, pre-stop s (median / max), last request → close ms (median / max, within quiet + 50)"));
        Console.WriteLine($"| balancer | load | fixed longest lag + 1 s: failed | {quiets} | safe fixed delay (tries: delay failed) |");
        Console.WriteLine($"|---|---|---|{string.Concat(settings.QuietPeriods.Select(_ => "---|"))}---|");
        foreach (var setup in settings.Setups)
        {
            if (setup.Missing() is { } missing)
            {
                Console.WriteLine($"| {setup.Name} | all | skipped: {missing} |");
                continue;
            }

            foreach (var load in settings.Loads)
            {
                var started = Stopwatch.GetTimestamp();
                var fixedDelay = settings.LagMax + TimeSpan.FromSeconds(1);
                var fixedRun = await RunAsync(settings, setup, load, SafeDelaySearch.Fixed(settings.SlowService, fixedDelay), settings.Restarts);
                var cells = new List<string>();
                var lastSent = TimeSpan.Zero;
                foreach (var quiet in settings.QuietPeriods)
                {
                    var adaptive = await RunAsync(settings, setup, load,
                        [settings.SlowService, "--pre-stop-quiet", SafeDelaySearch.Ms(quiet), "--pre-stop-max", "15s", "--report", "{report}"], settings.Restarts);
                    cells.Add(AdaptiveCell(adaptive, quiet));
                    lastSent = Max(lastSent, SafeDelaySearch.LatestSent(adaptive));
                }

                var tries = await SafeDelaySearch.RunAsync(lastSent, async delay =>
                    (await RunAsync(settings, setup, load, SafeDelaySearch.Fixed(settings.SlowService, delay), searchRestarts)).Load.Failed);
                                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {setup.Name} | {load.Name} | {fixedRun.Load.Failed} ({fixedDelay.TotalSeconds:0.0#} s) | {string.Join(" | ", cells)} | " +
                    $"{SafeDelaySearch.Cell(tries)} |"));
                Console.Error.WriteLine($"cell {setup.Name} {load.Name} took {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
            }
        }
    }

    private static string AdaptiveCell(RollingResult adaptive, TimeSpan quiet)
    {
        var lengths = adaptive.Restarts.Where(r => r.PreStop is not null).Select(r => r.PreStop!.Length.TotalSeconds).ToList();
        var gaps = adaptive.Restarts.Where(r => r.LastRequestToClose is not null).Select(r => r.LastRequestToClose!.Value.TotalMilliseconds).ToList();
        var endedBy = string.Join(", ", adaptive.Restarts.GroupBy(r => r.PreStop?.EndedBy ?? "none").Select(g => $"{g.Key} {g.Count()}"));
        var goal = quiet.TotalMilliseconds + 50;
        return string.Create(CultureInfo.InvariantCulture,
            $"**{adaptive.Load.Failed}** ({endedBy}), {CellRunner.Median(lengths):0.00} / {(lengths.Count == 0 ? double.NaN : lengths.Max()):0.00}, " +
            $"{CellRunner.Median(gaps):0} / {(gaps.Count == 0 ? double.NaN : gaps.Max()):0} ({gaps.Count(g => g <= goal)} of {gaps.Count})");
    }

    private static Task<RollingResult> RunAsync(VaryingLagSettings settings, BalancerSetup setup, LoadShape load, IReadOnlyList<string> command, int restarts) =>
        CellRunner.RunAsync(setup, load, command, restarts, settings.LagMin, settings.LagMax);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

}
