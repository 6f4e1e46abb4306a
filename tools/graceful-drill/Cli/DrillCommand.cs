using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Graceful.Drill.Fuzz;
using Graceful.Drill.Fuzz.Targets;
using Graceful.Drill.Judging;
using Graceful.Drill.Load;
using Graceful.Drill.Scenarios;
using Graceful.Drill.Target;
using Graceful.Harness;
using Spectre.Console;

namespace Graceful.Drill.Cli;

/// <summary>
/// <c>graceful-drill signal|upgrade|rolling [options] -- command to start the service</c>. The load, target and report
/// options are shared by the three scenarios; each scenario adds its own.
/// </summary>
public static class DrillCommand
{
    /// <summary>What a paced schedule can hand out without its queue of due requests growing past memory on a machine that cannot keep up.</summary>
    private const double MaxRate = 100_000;

    private static readonly Option<string?> Url = new Option<string?>("--url") { Description = "Where the service answers (e.g. http://127.0.0.1:8080). Without it, read from the service's 'Now listening on:' line.", Recursive = true }
        .Parses(u => ParseUrl(u!));
    private static readonly Option<int?> Pid = new Option<int?>("--pid") { Description = "Attach to this running process instead of starting one (needs --url).", Recursive = true }
        .Must(p => p > 0, "must be a process id (more than 0).");
    private static readonly Option<string?> ReadyPath = new Option<string?>("--ready-path") { Description = "Path polled until the service answers before the load starts. Default: the first request's path.", Recursive = true }
        .Must(p => p!.StartsWith('/'), "must start with '/'.");
    private static readonly Option<string> StartupTimeout = Duration("--startup-timeout", "How long the service may take to say where it listens, and then to answer.", "30s");
    private static readonly Option<int> Concurrency = new Option<int>("--concurrency", "-c") { Description = "Connections (HTTP/1.1) or requests in flight at most (HTTP/2).", DefaultValueFactory = _ => 16, Recursive = true }
        .Must(c => c >= 1, "must be at least 1.");
    private static readonly Option<double> Rate = new Option<double>("--rate", "-r")
    {
        Description = "Requests per second, paced whatever the service does (open loop), up to 100000. 0: each connection sends back to back. " +
            "When the load falls more than 10 % short of it, the reports warn.",
        DefaultValueFactory = _ => 200,
        Recursive = true,
    }.Must(r => r is >= 0 and <= MaxRate, "must be 0 (unpaced) or a rate up to 100000 requests/s.");
    private static readonly Option<string[]> Requests = new Option<string[]>("--request") { Description = "A request of the mix, repeatable: 'WEIGHT METHOD /path [body]', e.g. '90 GET /ping', '10 GET /slow', '5 POST /echo hi'.", DefaultValueFactory = _ => ["100 GET /ping"], Recursive = true }
        .Parses(requests => Array.ForEach(requests, r => RequestSpec.Parse(r)));
    private static readonly Option<bool> KeepAlive = new("--keep-alive") { Description = "Reuse connections (true) or open one per request (false).", DefaultValueFactory = _ => true, Recursive = true };
    private static readonly Option<string> Http = new Option<string>("--http") { Description = "1.1 (raw sockets) or 2 (h2c, prior knowledge).", DefaultValueFactory = _ => "1.1", Recursive = true }
        .Parses(h => ParseProtocol(h));
    private static readonly Option<string> RequestTimeout = Duration("--timeout", "A request without a complete response after this long is 'timed out'.", "5s");
    private static readonly Option<string> Tail = Duration("--tail", "Keep the load on this long after the scenario is over.", "1s", zeroAllowed: true);
    private static readonly Option<string> MaxDuration = Duration("--max-duration", "Give up (exit 2) when the scenario is not over after this long.", "2m");
    private static readonly Option<string> ExpectStatus = new Option<string>("--expect-status")
    {
        Description = "Statuses that count as the service doing its job: codes and classes, comma-separated: 200, 2xx, 200,204, 2xx,404. " +
            "The run fails (exit 1) when no request was sent, none was answered, none had an expected status, or more than --max-unexpected had another: " +
            "every response counts, during the shutdown too, since a 502 or 500 there is a request the client saw fail. " +
            "A 503 with Retry-After after a signal is 'declined' (a draining service turning a request away unrun, safe to retry like a refused connect) and is not counted as unexpected.",
        DefaultValueFactory = _ => "2xx",
        Recursive = true,
        HelpName = "statuses",
    }.Parses(s => ExpectedStatuses.Parse(s));
    private static readonly Option<long> MaxUnexpected = new Option<long>("--max-unexpected") { Description = "Fail (exit 1) when more responses than this had a status outside --expect-status.", DefaultValueFactory = _ => 0, Recursive = true }
        .Must(m => m >= 0, "must be 0 or more.");
    private static readonly Option<long> MaxLost = new Option<long>("--max-lost") { Description = "Fail (exit 1) when more requests than this were lost.", DefaultValueFactory = _ => 0, Recursive = true }
        .Must(m => m >= 0, "must be 0 or more.");
    private static readonly Option<int?> ExpectExitCode = new("--expect-exit-code") { Description = "Fail (exit 1) when a service process exits with another code.", Recursive = true };
    private static readonly Option<string> Output = new Option<string>("--out", "-o") { Description = "Folder for drill.html, drill.json and timeline.png.", DefaultValueFactory = _ => "drill-report", Recursive = true }
        .Must(o => o.Length > 0, "must name a folder.");
    private static readonly Option<string?> Title = new("--title") { Description = "Name of the drill in the reports. Default: the program's name.", Recursive = true };
    private static readonly Option<string> ListenerClosedLog = new Option<string>("--listener-closed-log") { Description = "Regex for the service's log line saying its listeners closed ('' to ignore the log).", DefaultValueFactory = _ => "Phase 1/5 stop accepting", Recursive = true }
        .Parses(pattern => _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)));
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the request mix, and of --fuzz's moments, for reproducible runs. Default: 1; with --fuzz, a random one, printed.", DefaultValueFactory = _ => 1, Recursive = true, HelpName = "seed" };

    public static RootCommand Create(IAnsiConsole console)
    {
        var root = new RootCommand("graceful-drill: prove that an HTTP service drains and restarts without losing a request. " +
            "Starts the service (or attaches to it), loads it, runs a scenario and records every request. " +
            "Exit code 0: passed; 1: failed (requests lost, unexpected statuses, nothing tested, an unexpected exit code); 2: could not run (one line on stderr).")
        {
            Url, Pid, ReadyPath, StartupTimeout, Concurrency, Rate, Requests, KeepAlive, Http, RequestTimeout, Tail, MaxDuration, ExpectStatus, MaxUnexpected,
            MaxLost, ExpectExitCode, Output, Title, ListenerClosedLog, Seed,
        };
        root.Add(SignalCommand(console));
        root.Add(UpgradeCommand(console));
        root.Add(RollingCommand(console));
        return root;
    }

    private static Command SignalCommand(IAnsiConsole console)
    {
        var signals = new Option<string[]>("--signal", "-s") { Description = "SIGNAL@TIME after the load starts, repeatable: TERM@2s, INT@1s, QUIT@3s, HUP@2s.", DefaultValueFactory = _ => ["TERM@2s"] }
            .Parses(texts => Array.ForEach(texts, t => TimedSignal.Parse(t)));
        var command = CommandArgument();
        var fuzz = new FuzzOptions();
        var signal = new Command("signal", "Send signals at chosen times; over when the service has exited (or after the last signal if none stops it). " +
            "With --fuzz N: N trials, each starting the service and sending the signal (its time ignored) at a random moment.") { signals, command };
        fuzz.AddTo(signal);
        signal.SetAction((parse, interrupted) =>
        {
            var timed = parse.GetValue(signals)!.Select(TimedSignal.Parse).ToArray();
            return RunAsync(console, parse, command, fuzz, target =>
            {
                var log = parse.GetValue(ListenerClosedLog)!;
                return new SignalScenario(target, timed, log.Length == 0 ? null : new Regex(log, RegexOptions.None, TimeSpan.FromSeconds(1)));
            }, target => new SignalTrials(target, FuzzedSignal(timed)), interrupted);
        });
        return signal;
    }

    private static Command UpgradeCommand(IAnsiConsole console)
    {
        var pidFile = new Option<string>("--pid-file") { Description = "The file the service writes its current pid to (and replaces with the new process's).", Required = true };
        var count = new Option<int>("--count") { Description = "How many upgrades.", DefaultValueFactory = _ => 3 }.Must(c => c >= 1, "must be at least 1.");
        var at = Duration("--at", "When the first SIGHUP is sent after the load starts.", "2s", recursive: false, zeroAllowed: true);
        var every = Duration("--every", "Time from one SIGHUP to the next (at least until the previous upgrade completed).", "2s", recursive: false, zeroAllowed: true);
        var stepTimeout = Duration("--step-timeout", "How long a new pid and the old process's exit may take.", "30s", recursive: false);
        var command = CommandArgument();
        var fuzz = new FuzzOptions();
        var upgrade = new Command("upgrade", "Repeated in-place upgrades: SIGHUP, then wait until the pid file names a new pid and the old process has exited. " +
            "With --fuzz N: N upgrades of the same service, each SIGHUP at a random moment.")
        {
            pidFile, count, at, every, stepTimeout, command,
        };
        fuzz.AddTo(upgrade);
        upgrade.SetAction((parse, interrupted) =>
        {
            if (parse.GetValue(fuzz.Trials) is not null && new Option[] { count, at, every }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } paced)
            {
                throw new DrillException($"{paced.Name}: with --fuzz each trial is one upgrade at a random moment; leave {paced.Name} out.");
            }

            return RunAsync(console, parse, command, fuzz, target => new UpgradeScenario(target, Path.GetFullPath(parse.GetValue(pidFile)!),
                parse.GetValue(count), Durations.Parse(parse.GetValue(at)!), Durations.Parse(parse.GetValue(every)!), Durations.Parse(parse.GetValue(stepTimeout)!)),
                target => new UpgradeTrials(target, Path.GetFullPath(parse.GetValue(pidFile)!), Durations.Parse(parse.GetValue(stepTimeout)!)), interrupted);
        });
        return upgrade;
    }

    private static Command RollingCommand(IAnsiConsole console)
    {
        var instances = new Option<int>("--instances") { Description = "Instances behind HAProxy.", DefaultValueFactory = _ => 2 }.Must(i => i >= 1, "must be at least 1.");
        var restarts = new Option<int>("--restarts") { Description = "Restarts, one instance after the other.", DefaultValueFactory = _ => 2 }.Must(r => r >= 0, "must be 0 or more.");
        var at = Duration("--at", "When the first restart starts after the load starts.", "2s", recursive: false, zeroAllowed: true);
        var lag = Duration("--lag", "How long after an instance's SIGTERM HAProxy stops routing to it (as endpoint propagation would).", "1s", recursive: false, zeroAllowed: true);
        var pause = Duration("--pause", "Time between an instance back in rotation and the next restart.", "500ms", recursive: false, zeroAllowed: true);
        var balancer = new Option<string>("--balancer")
        {
            Description = "haproxy (told through its runtime API after --lag), haproxy-check (its own health check of /healthz/ready), " +
                "haproxy-tcp (mode tcp, told after --lag: client reconnects reach the instances), caddy (active health checks), " +
                "yarp (in-memory configuration changed after --lag) or yarp-check (YARP's active health checks). With HAProxy the report gives " +
                "the peak rate of new connections at the instances left serving during each restart.",
            DefaultValueFactory = _ => "haproxy",
        }.AcceptOnlyFromAmong("haproxy", "haproxy-check", "haproxy-tcp", "caddy", "yarp", "yarp-check");
        var reuse = new Option<string>("--haproxy-reuse")
        {
            Description = "HAProxy's http-reuse mode: safe (HAProxy's default), always or never.",
            DefaultValueFactory = _ => "safe",
        }.AcceptOnlyFromAmong("safe", "always", "never");
        var command = CommandArgument();
        var rolling = new Command("rolling", "A rolling restart behind a balancer: each instance gets --urls http://127.0.0.1:PORT after its arguments (or {port} in them is replaced).")
        {
            instances, restarts, at, lag, pause, balancer, reuse, command,
        };
        rolling.SetAction((parse, interrupted) => RunAsync(console, parse, command, fuzz: null, target => new RollingScenario(target.Command,
            Balancer(parse.GetValue(balancer)!, parse.GetValue(reuse)!), parse.GetValue(instances), parse.GetValue(restarts),
            Durations.Parse(parse.GetValue(at)!), Durations.Parse(parse.GetValue(lag)!), Durations.Parse(parse.GetValue(pause)!)), trials: null, interrupted));
        return rolling;
    }

    private static BalancerSetup Balancer(string name, string reuse) => name == "haproxy"
        ? new BalancerSetup(BalancerKind.Haproxy, Enum.Parse<HaproxyReuse>(reuse, ignoreCase: true))
        : BalancerSetup.Parse(name);

    /// <summary>The signal a fuzz trial sends: the one --signal given (its time is the fuzz's to choose), one that stops the service.</summary>
    private static TimedSignal FuzzedSignal(TimedSignal[] signals) =>
        signals.Length != 1 ? throw new DrillException("--signal: --fuzz sends one signal per trial, at a moment of its choosing; give one --signal (e.g. TERM).")
        : !signals[0].Stops ? throw new DrillException("--signal HUP: each --fuzz trial of `signal` stops the service; fuzz in-place upgrades with `upgrade --fuzz`.")
        : signals[0];

    private static async Task<int> RunAsync(IAnsiConsole console, ParseResult parse, Argument<string[]> commandArgument, FuzzOptions? fuzz, Func<TargetSpec, IScenario> scenario,
        Func<TargetSpec, ITrialTarget>? trials, CancellationToken interrupted)
    {
        // Every value was checked while parsing (OptionRules): what is left to fail here is the service or the system.
        var command = parse.GetValue(commandArgument) ?? [];
        var mix = parse.GetValue(Requests)!.Select(RequestSpec.Parse).ToArray();
        var url = parse.GetValue(Url) is { } u ? ParseUrl(u) : null;
        var target = new TargetSpec(command, url, parse.GetValue(Pid), parse.GetValue(ReadyPath) ?? mix[0].Path, Durations.Parse(parse.GetValue(StartupTimeout)!));
        var load = new LoadProfile(parse.GetValue(Concurrency), parse.GetValue(Rate), mix, parse.GetValue(KeepAlive), ParseProtocol(parse.GetValue(Http)!),
            Durations.Parse(parse.GetValue(RequestTimeout)!), parse.GetValue(Seed));
        var settings = new DrillSettings(parse.GetValue(Title) ?? target.Name, load, Durations.Parse(parse.GetValue(Tail)!), Durations.Parse(parse.GetValue(MaxDuration)!),
            parse.GetValue(MaxLost), parse.GetValue(ExpectExitCode), ExpectedStatuses.Parse(parse.GetValue(ExpectStatus)!), parse.GetValue(MaxUnexpected),
            Path.GetFullPath(parse.GetValue(Output)!));
        EnsureWritable(settings.OutputFolder);
        // Without --seed a fuzz run draws its seed (and prints it): each run tries other moments, and any one can be repeated.
        if (fuzz?.Read(parse, load.Protocol, parse.GetResult(Seed) is { Implicit: false } ? parse.GetValue(Seed) : null) is { } fuzzing)
        {
            // The probes open their own connections at their own times: a load option would be silently ignored.
            if (new Option[] { Rate, Concurrency, KeepAlive, Tail }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } ignored)
            {
                throw new DrillException($"{ignored.Name}: a --fuzz run's probes open their own connections at their own times (--moments); leave {ignored.Name} out.");
            }

            return await FuzzRunner.RunAsync(trials!(target), fuzzing, settings, target, console, interrupted);
        }

        return await DrillRunner.RunAsync(scenario(target), settings, console, interrupted);
    }

    /// <summary>An absolute http:// URL: the load speaks cleartext HTTP on raw sockets.</summary>
    private static Uri ParseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.Host.Length > 0 ? url
        : throw new FormatException($"--url '{text}': use http://HOST:PORT, e.g. http://127.0.0.1:8080 (the drill speaks cleartext HTTP).");

    private static HttpProtocol ParseProtocol(string text) => text switch
    {
        "1.1" or "1" => HttpProtocol.Http1,
        "2" or "2.0" => HttpProtocol.Http2,
        _ => throw new FormatException($"--http {text}: use 1.1 or 2."),
    };

    /// <summary>Finds out before the service starts, not after the load, that the reports cannot be written.</summary>
    private static void EnsureWritable(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".graceful-drill-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DrillException($"--out {folder}: cannot write the reports there ({e.Message})");
        }
    }

    private static Argument<string[]> CommandArgument() => new("command")
    {
        Description = "The service's command line, after --: e.g. -- dotnet SlowService.dll --urls http://127.0.0.1:0",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Option<string> Duration(string name, string description, string defaultValue, bool recursive = true, bool zeroAllowed = false) => new Option<string>(name)
    {
        Description = $"{description} (250ms, 2s, 1m)",
        DefaultValueFactory = _ => defaultValue,
        Recursive = recursive,
        HelpName = "duration",
    }.Duration(zeroAllowed);
}
