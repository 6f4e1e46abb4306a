using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;

namespace Balancers;

/// <summary>What the matrix runs: restarts per app and cell, the lag of balancers told from outside, the quiet period.</summary>
internal sealed record MatrixSettings(int Restarts, TimeSpan Lag, TimeSpan Quiet, string BareProgram, string SlowService,
    IReadOnlyList<BalancerSetup> Setups, IReadOnlyList<LoadShape> Loads, IReadOnlyList<string> ExtraAdaptiveArgs);

/// <summary>
/// The balancer matrix side by side: for each balancer setup × load shape, bare ASP.NET Core, Graceful with a fixed
/// pre-stop delay of the balancer's lag + 1 s, Graceful adaptive, then the smallest fixed delay that lost nothing.
/// </summary>
internal static class Matrix
{
    // A balancer that probes every 500 ms learns of the stop within about that long: its lag.
    private static readonly TimeSpan ProbeLag = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(MatrixSettings settings)
    {
        var bareRestarts = Math.Max(2, settings.Restarts / 3);
        var searchRestarts = Math.Max(3, settings.Restarts / 3);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Two instances, 16 keep-alive clients on GET /ping through the balancer; lag {settings.Lag.TotalSeconds:0.###} s for balancers told " +
            $"from outside ({ProbeLag.TotalMilliseconds:0} ms probe interval for the others); restarts per cell: bare {bareRestarts}, fixed " +
            $"{settings.Restarts}, adaptive {settings.Restarts}, {searchRestarts} per delay tried in the search; adaptive: " +
            $"--pre-stop-quiet {settings.Quiet.TotalMilliseconds:0}ms --pre-stop-max 15s {string.Join(' ', settings.ExtraAdaptiveArgs)}"));
        Console.WriteLine();
        Console.WriteLine("| balancer | load | bare: failed | fixed lag + 1 s: failed | adaptive: failed | adaptive ended by | last request → listener closed, ms (median / max) | adaptive pre-stop, s (median / max) | safe fixed delay (tries: delay failed) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var setup in settings.Setups)
        {
            if (setup.Missing() is { } missing)
            {
                Console.WriteLine($"| {setup.Name} | all | skipped: {missing} | | | | | | |");
                continue;
            }

            foreach (var load in settings.Loads)
            {
                var started = Stopwatch.GetTimestamp();
                var lag = setup.ToldFromOutside ? settings.Lag : ProbeLag;
                var bare = await CellRunner.RunAsync(setup, load, [settings.BareProgram, "--health"], bareRestarts, settings.Lag);
                var fixedDelay = lag + TimeSpan.FromSeconds(1);
                var fixedRun = await CellRunner.RunAsync(setup, load, SafeDelaySearch.Fixed(settings.SlowService, fixedDelay), settings.Restarts, settings.Lag);
                var adaptive = await CellRunner.RunAsync(setup, load,
                    [settings.SlowService, "--pre-stop-quiet", SafeDelaySearch.Ms(settings.Quiet), "--pre-stop-max", "15s", "--report", "{report}",
                        .. settings.ExtraAdaptiveArgs], settings.Restarts, settings.Lag);
                var tries = await SafeDelaySearch.RunAsync(SafeDelaySearch.LatestSent(adaptive), async delay =>
                    (await CellRunner.RunAsync(setup, load, SafeDelaySearch.Fixed(settings.SlowService, delay), searchRestarts, settings.Lag)).Load.Failed);
                var gaps = adaptive.Restarts.Where(r => r.LastRequestToClose is not null).Select(r => r.LastRequestToClose!.Value.TotalMilliseconds).ToList();
                var lengths = adaptive.Restarts.Where(r => r.PreStop is not null).Select(r => r.PreStop!.Length.TotalSeconds).ToList();
                var endedBy = string.Join(", ", adaptive.Restarts.GroupBy(r => r.PreStop?.EndedBy ?? "none").Select(g => $"{g.Key} {g.Count()}"));
                var goal = settings.Quiet.TotalMilliseconds + 50;
                                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {setup.Name} | {load.Name} | {bare.Load.Failed} | {fixedRun.Load.Failed} ({fixedDelay.TotalSeconds:0.0#} s) | **{adaptive.Load.Failed}** | {endedBy} | " +
                    $"{(gaps.Count == 0 ? "-" : $"{CellRunner.Median(gaps):0} / {gaps.Max():0} ({gaps.Count(g => g <= goal)} of {gaps.Count} ≤ {goal:0})")} | " +
                    $"{(lengths.Count == 0 ? "-" : $"{CellRunner.Median(lengths):0.00} / {lengths.Max():0.00}")} | " +
                    $"{SafeDelaySearch.Cell(tries)} |"));
                Console.Error.WriteLine($"cell {setup.Name} {load.Name} took {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
            }
        }
    }

}
