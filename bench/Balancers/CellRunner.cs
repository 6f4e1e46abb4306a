using System.Globalization;
using Graceful.Harness;

namespace Balancers;

/// <summary>Runs one app through one cell (balancer setup × load shape) and formats what came out.</summary>
internal static class CellRunner
{
    public const string Header = "| app | restarts | requests ok | failed | pre-stop ended by | balancer's last request → listener closed, ms (median / max) | signal → exit, s (median / max) |";
    public const string Separator = "|---|---|---|---|---|---|---|";

    public static async Task<RollingResult> RunAsync(BalancerSetup setup, LoadShape load, IReadOnlyList<string> command, int restarts, TimeSpan lag,
        TimeSpan lagMax = default)
    {
        var result = await RollingRestart.RunAsync(new RollingRun(command[0], command.Skip(1).ToList())
        {
            Balancer = setup,
            Load = load,
            Restarts = restarts,
            Lag = lag,
            LagMax = lagMax,
        });
        foreach (var restart in result.Restarts)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {setup.Name} {load.Name} {string.Join(' ', command.Skip(1))}: {restart.Server} lag {restart.Lag.TotalSeconds:0.000}s failed {restart.Failed} (non-2xx {restart.Load.NonSuccess}, " +
                $"lost {restart.Load.Lost}, refused {restart.Load.Refused}; balancer 5xx {restart.BalancerErrors}), " +
                $"pre-stop {restart.PreStop?.EndedBy ?? "-"} {restart.PreStop?.Length.TotalSeconds:0.000}s ({restart.PreStop?.Requests} requests), " +
                $"last request → close {restart.LastRequestToClose?.TotalMilliseconds:0} ms, after close {restart.RequestsAfterClose}, stop {restart.StopTime.TotalSeconds:0.000}s"));
        }

        if (Environment.GetEnvironmentVariable("BALANCER_OUTPUT") == "1")
        {
            Console.Error.WriteLine(result.BalancerOutput);
        }

        return result;
    }

    public static string Row(string name, RollingResult result)
    {
        var restarts = result.Restarts;
        var endedBy = string.Join(", ", restarts.Where(r => r.PreStop is not null).GroupBy(r => r.PreStop!.EndedBy).Select(g => $"{g.Key} {g.Count()}"));
        var gaps = restarts.Where(r => r.LastRequestToClose is not null).Select(r => r.LastRequestToClose!.Value.TotalMilliseconds).ToList();
        var stops = restarts.Select(r => r.StopTime.TotalSeconds).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {restarts.Count} | {result.Load.Ok} | {result.Load.Failed} | {(endedBy.Length == 0 ? "-" : endedBy)} | " +
            $"{(gaps.Count == 0 ? "-" : $"{Median(gaps):0} / {gaps.Max():0}")} | {Median(stops):0.00} / {stops.Max():0.00} |");
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
