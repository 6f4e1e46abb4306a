using System.Globalization;
using Graceful.Harness;

namespace Balancers;

/// <summary>
/// Graceful:CloseSpread where the reconnects land (bench/close-spread.sh): two instances of SlowService (pre-stop 1 s)
/// behind HAProxy in mode tcp, keep-alive clients each pausing 200-600 ms between requests (well within the 1 s
/// IdleGrace: clients that use their connection, the ones that reconnect at once when it closes), one restart (out of
/// rotation at once), without the spread and with it, interleaved, round after round. Prints one row per run: the new
/// connections HAProxy opened to the instance left serving (in all, the most in any 1 s, in the busiest 100 ms), the
/// requests, and the failed ones.
/// </summary>
internal static class CloseSpreadRuns
{
    public static readonly LoadShape Load = new("pauses 200-600 ms", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600));

    public static async Task RunAsync(int rounds, int clients, string spread, string slowService)
    {
        Console.WriteLine($"{clients} keep-alive clients, {Load.Name}; HAProxy mode tcp; one of two instances restarted; CloseSpread off vs {spread}");
        Console.WriteLine("| CloseSpread | round | moved | peak new connections/s (1 s) | most in 100 ms | requests ok | lost | refused | non-2xx | signal → exit, s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var setting in new[] { "off", spread })
            {
                // The instances read it from their environment, as a deployment's configuration would set it.
                Environment.SetEnvironmentVariable("Graceful__CloseSpread", setting == "off" ? null : setting);
                var result = await RollingRestart.RunAsync(new RollingRun("dotnet", [slowService, "--pre-stop-delay", "1s"])
                {
                    Balancer = new BalancerSetup(BalancerKind.HaproxyTcp),
                    Load = Load,
                    Clients = clients,
                    Restarts = 1,
                    Lag = TimeSpan.Zero,
                    Between = TimeSpan.FromSeconds(2),
                });
                var restart = result.Restarts[0];
                var moved = restart.NewConnectionsElsewhere ?? throw new InvalidOperationException("HAProxy did not count its connections.");
                var load = restart.Load;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {setting} | {round} | {moved.Total} | {moved.PeakPerSecond} | {moved.PeakIn100Ms} | {load.Ok} | {load.Lost} | {load.Refused} | {load.NonSuccess} | {restart.StopTime.TotalSeconds:0.0} |"));
            }
        }
    }
}
