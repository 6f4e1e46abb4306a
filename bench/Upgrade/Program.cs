using System.CommandLine;
using Graceful.Harness;
using Graceful.TestSupport;
using Upgrade;

// In-place upgrades under busy keep-alive load, side by side in one run. For each app: start it, run busy keep-alive
// clients on GET /ping, send SIGHUP to the pid its pid file names, wait for a new pid there and for the old process
// to exit, pause, and again. Reports requests lost (sent on an open connection, answered by EOF or reset), refused
// connects and non-2xx answers, and per upgrade the switchover (SIGHUP to the new pid in the pid file) and the old
// process's exit (SIGHUP to its exit, seen through a pidfd). See bench/upgrade.sh.
var upgrades = new Option<int>("--upgrades") { Description = "Upgrades per app.", DefaultValueFactory = _ => 50 };
var clients = new Option<int>("--clients") { Description = "Busy keep-alive clients.", DefaultValueFactory = _ => 32 };
var gap = new Option<int>("--gap-ms") { Description = "Pause after an upgrade has completed, before the next SIGHUP.", DefaultValueFactory = _ => 200 };
var timeout = new Option<int>("--timeout-s")
{
    Description = "Time from SIGHUP for the new pid and the old process's exit; past it the upgrade failed (and the old process is killed).",
    DefaultValueFactory = _ => 40,
};
var apps = new Argument<string[]>("apps")
{
    Description = "label=program args...: a .dll runs with dotnet; {port} and {pidfile} in args are filled in per run.",
    Arity = ArgumentArity.OneOrMore,
};

var root = new RootCommand("Benchmark of in-place upgrades (SIGHUP) under busy keep-alive load.") { upgrades, clients, gap, timeout, apps };
root.SetAction(async (parse, cancellationToken) =>
{
    var settings = new Settings(parse.GetValue(upgrades), parse.GetValue(clients), TimeSpan.FromMilliseconds(parse.GetValue(gap)),
        TimeSpan.FromSeconds(parse.GetValue(timeout)));
    var commands = parse.GetValue(apps)!.Select(AppCommand.Parse).ToList();

    // An upgraded process outlives its parent: adopt such orphans, so they are reaped and found at clean-up.
    Subreaper.Enable();
    var results = new List<AppResult>();
    foreach (var app in commands)
    {
        Console.Error.Write($"{app.Label}: ");
        try
        {
            results.Add(await UpgradeRun.RunAsync(app, settings, cancellationToken));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // An app that does not start (or does not know --pid-file yet) must not cost the others their run.
            Console.Error.WriteLine($"did not start: {e.Message}");
            results.Add(new AppResult(app.Label, [], new LoadResult(0, 0, 0), false, "did not start (see standard error)"));
        }
    }

    Report.Print(settings, results);
    return 0;
});

return await root.Parse(args).InvokeAsync();
