using System.Diagnostics;
using System.Globalization;
using Balancers;
using Graceful.Harness;

// Usage:
//   Balancers cell BALANCER LOAD RESTARTS LAG-MS name=program args ...
//       one cell: each app in turn behind BALANCER (haproxy-safe, haproxy-always, haproxy-never, haproxy-check, caddy,
//       yarp, yarp-check) under LOAD (back-to-back, short, paced), RESTARTS restarts; per-restart detail on stderr
//   Balancers matrix RESTARTS LAG-MS QUIET-MS BARE.dll SLOWSERVICE.dll BALANCERS LOADS [extra adaptive args ...]
//       the matrix of bench/balancers.sh: per cell bare ASP.NET Core, Graceful with a fixed delay of lag + 1 s,
//       Graceful adaptive, and the smallest fixed delay that lost nothing, found by trying
//   Balancers varying RESTARTS LAG-MIN-MS LAG-MAX-MS QUIET-MS[,QUIET-MS...] SLOWSERVICE.dll BALANCERS LOADS
//       balancers told from outside with a lag drawn per stop from [LAG-MIN, LAG-MAX]: the fixed delay of the longest
//       lag + 1 s, the adaptive pre-stop with each quiet period, and the smallest fixed delay that lost nothing
//   Balancers spread ROUNDS CLIENTS SPREAD SLOWSERVICE.dll
//       Graceful:CloseSpread off and SPREAD, interleaved, behind HAProxy in mode tcp (bench/close-spread.sh)
// Programs are .dll files (run with dotnet) or executables; "{report}" in an argument becomes the instance's report path.
var mode = args[0];
var started = Stopwatch.GetTimestamp();
switch (mode)
{
    case "cell":
    {
        var setup = BalancerSetup.Parse(args[1]);
        var load = LoadShape.Parse(args[2]);
        var restarts = int.Parse(args[3], CultureInfo.InvariantCulture);
        var lag = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture));
        Console.WriteLine($"{setup.Description}; {load.Name}; {restarts} restarts; lag {lag.TotalMilliseconds} ms");
        Console.WriteLine();
        Console.WriteLine(CellRunner.Header);
        Console.WriteLine(CellRunner.Separator);
        foreach (var app in args.Skip(5))
        {
            var name = app[..app.IndexOf('=', StringComparison.Ordinal)];
            var command = app[(app.IndexOf('=', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var result = await CellRunner.RunAsync(setup, load, command, restarts, lag);
            Console.WriteLine(CellRunner.Row(name, result));
        }

        break;
    }

    case "matrix":
        await Matrix.RunAsync(new MatrixSettings(
            int.Parse(args[1], CultureInfo.InvariantCulture),
            TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)),
            args[4],
            args[5],
            [.. args[6].Split(',').Select(BalancerSetup.Parse)],
            [.. args[7].Split(',').Select(LoadShape.Parse)],
            [.. args.Skip(8)]));
        break;
    case "varying":
        await VaryingLag.RunAsync(new VaryingLagSettings(
            int.Parse(args[1], CultureInfo.InvariantCulture),
            TimeSpan.FromMilliseconds(int.Parse(args[2], CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)),
            [.. args[4].Split(',').Select(q => TimeSpan.FromMilliseconds(int.Parse(q, CultureInfo.InvariantCulture)))],
            args[5],
            [.. args[6].Split(',').Select(BalancerSetup.Parse)],
            [.. args[7].Split(',').Select(LoadShape.Parse)]));
        break;
    case "spread":
        await CloseSpreadRuns.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4]);
        break;
    default:
        throw new ArgumentException($"Unknown mode {mode}: use cell, matrix, varying or spread.");
}

Console.Error.WriteLine($"done in {Stopwatch.GetElapsedTime(started).TotalMinutes:0.0} min");
return 0;
