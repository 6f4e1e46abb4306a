using System.CommandLine;
using Graceful.AspNetCore;
using SlowService;

// The Go/gin graceful-shutdown demo in C#: GET /slow takes 30 s, Ctrl+C (or SIGTERM/SIGQUIT) lets it finish,
// and SIGHUP upgrades it in place (a new process takes over the listening sockets, this one drains).
var slow = DurationOption.Create("--slow", "How long GET /slow takes: 500ms, 30s, 1m, 00:00:30. Default 30s.");
var shutdownTimeout = DurationOption.Create("--shutdown-timeout",
    "Drain deadline: 5s cuts requests still running 5 s after the signal (Go's demo). Default: Graceful:DrainTimeout, else infinite (wait for all).");
var preStopDelay = DurationOption.Create("--pre-stop-delay",
    "Go on serving this long after the signal while /healthz/ready answers 503, so a load balancer can stop routing here first. Default 0.");
var preStopQuiet = DurationOption.Create("--pre-stop-quiet",
    "Adaptive pre-stop: close the listeners once no request (health probes aside) has arrived for this long, after at least --pre-stop-delay. Default: off.");
var preStopMax = DurationOption.Create("--pre-stop-max",
    "The longest an adaptive pre-stop (--pre-stop-quiet) may serve while traffic keeps arriving. Default 15s.");
var preStopClose = new Option<PreStopConnectionClose?>("--pre-stop-close")
{
    Description = "Whether responses during the pre-stop say Connection: close: None, AfterDelay (after --pre-stop-delay) or FromStart. Default: Graceful:PreStopCloseConnections.",
};
var report = new Option<FileInfo?>("--report") { Description = "Write the shutdown report to this JSON file when the service stops." };
var pidFile = new Option<FileInfo?>("--pid-file")
{
    Description = "Keep this process's id in this file; an upgrade (SIGHUP) replaces it with the successor's id when it takes over.",
};
var urls = new Option<string>("--urls") { Description = "Where to listen (semicolon-separated URLs).", DefaultValueFactory = _ => "http://*:8080" };

var root = new RootCommand("SlowService: watch a graceful shutdown. Start it, request /slow, press Ctrl+C.") { slow, shutdownTimeout, preStopDelay, preStopQuiet, preStopMax, preStopClose, report, pidFile, urls };
root.SetAction((parse, cancellationToken) => SlowServiceApp.RunAsync(new SlowServiceSettings(
    parse.GetValue(urls)!,
    parse.GetValue(slow) ?? TimeSpan.FromSeconds(30),
    parse.GetValue(shutdownTimeout),
    parse.GetValue(preStopDelay),
    parse.GetValue(preStopQuiet),
    parse.GetValue(preStopMax),
    parse.GetValue(preStopClose),
    parse.GetValue(report)?.FullName,
    parse.GetValue(pidFile)?.FullName)));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // The error alone, where the eye lands, rather than after the whole help text.
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"SlowService: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run 'SlowService --help' for the options.");
    return GracefulHostExtensions.StartupFailedExitCode;
}

// Graceful handles SIGINT/SIGTERM/SIGQUIT itself; System.CommandLine must not race it to kill the process.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
