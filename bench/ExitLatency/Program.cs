using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;
using Graceful.TestSupport;

// Measures, side by side in one run, for each app:
//   idle:  SIGTERM with nothing in flight -> process exit
//   after: last byte of the in-flight response -> process exit (SIGTERM sent while it ran)
//   floor: SIGKILL -> process exit, the kernel's teardown of the process alone
//   cpu:   the process's CPU time from SIGTERM to its exit, in the idle runs (ChildCpuTime)
// and, for each JIT build, in runs of their own (listing compilations slows them): the methods its JIT compiles for
// the first time after an idle SIGTERM (JitLog), and how many of them are Graceful's.
// Exit is seen through a pidfd (ExitWatch), so the figures do not include how .NET reaps its child processes.
// Usage: ExitLatency [--no-config-watch] [iterations] ["name=path/to/app.dll [app args]" ...]; the first app is the
// baseline for ratios. By default: the Release builds of bench/peers/BareAspNetCore, the same with --graceful, and
// samples/SlowService.
// --no-config-watch starts every app (floor runs included) without the host's watch on its configuration files
// (DOTNET_hostBuilder__reloadConfigOnChange=false). The watch holds an inotify descriptor, whose release at the exit
// takes 1-2 ms or 14-20 ms, at random (an SRCU grace period in fsnotify's teardown, as far as known), in every exit and
// in the SIGKILL floor alike. At NativeAOT's few-millisecond exits that wait, not the app, decided which floor came out higher.
if (args.Contains("--no-config-watch"))
{
    Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    args = [.. args.Where(a => a != "--no-config-watch")];
}

var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
const int JitRuns = 3;
string Dll(string project) => Path.Combine(RepoPaths.Root, project, "bin", "Release", "net10.0", Path.GetFileName(project) + ".dll");
var apps = args.Length > 1
    ? [.. args.Skip(1).Select(App.Parse)]
    : new[]
    {
        new App("bare ASP.NET Core", Dll("bench/peers/BareAspNetCore"), []),
        new App("bare + AddGraceful", Dll("bench/peers/BareAspNetCore"), ["--graceful"]),
        new App("Graceful (SlowService)", Dll("samples/SlowService"), []),
    };
var samples = apps.ToDictionary(a => a.Name, _ => new Dictionary<string, List<double>> { ["idle"] = [], ["after"] = [], ["floor"] = [], ["cpu"] = [] });

for (var i = 0; i < iterations; i++)
{
    foreach (var app in apps)
    {
        var (idle, cpu) = await IdleExitAsync(app);
        samples[app.Name]["idle"].Add(idle);
        samples[app.Name]["cpu"].Add(cpu);
        samples[app.Name]["after"].Add(await ExitAfterLastResponseAsync(app));
        samples[app.Name]["floor"].Add(await SignalToExitAsync(app, Signals.SIGKILL));
    }

    Console.Error.Write('.');
}

var compiled = new Dictionary<string, (List<int> All, List<int> Graceful)>();
foreach (var app in apps.Where(a => a.IsJit))
{
    compiled[app.Name] = ([], []);
    for (var i = 0; i < JitRuns; i++)
    {
        var methods = await CompiledAfterSigtermAsync(app);
        compiled[app.Name].All.Add(methods.Count);
        compiled[app.Name].Graceful.Add(methods.Count(m => m.Contains("Graceful.AspNetCore", StringComparison.Ordinal)));
    }
}

Console.Error.WriteLine();
Console.WriteLine($"Exit latency, {iterations} runs each, interleaved; milliseconds, median (p90).");
Console.WriteLine();
Console.WriteLine("| app | SIGKILL floor | idle: SIGTERM to exit | after last response to exit |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, _, _) in apps)
{
    var s = samples[name];
    Console.WriteLine($"| {name} | {Stat(s["floor"])} | {Stat(s["idle"])} | {Stat(s["after"])} |");
}

Console.WriteLine();
var baseline = samples[apps[0].Name];
foreach (var (name, _, _) in apps)
{
    var s = samples[name];
    Console.WriteLine($"- {name}: above its SIGKILL floor (medians) idle {Above(s["idle"], s["floor"])}, after {Above(s["after"], s["floor"])}; "
        + $"ratio to {apps[0].Name}: idle {Ratio(s["idle"], baseline["idle"])}, after {Ratio(s["after"], baseline["after"])}");
}

Console.WriteLine();
Console.WriteLine($"After an idle SIGTERM: the process's CPU time to its exit (ms, median (p90) of {iterations}), and the methods its JIT compiles (median of {JitRuns} runs; of them Graceful's).");
Console.WriteLine();
Console.WriteLine("| app | CPU from SIGTERM to exit | methods compiled after SIGTERM | of them Graceful's |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, _, _) in apps)
{
    var jit = compiled.TryGetValue(name, out var c) ? (Median(c.All), Median(c.Graceful)) : ("none (NativeAOT)", "-");
    Console.WriteLine($"| {name} | {Stat(samples[name]["cpu"])} | {jit.Item1} | {jit.Item2} |");
}

return 0;

// Idle exit: from SIGTERM to the kernel's report of the exit, and the CPU time the process spent in between.
static async Task<(double Milliseconds, double CpuMilliseconds)> IdleExitAsync(App app)
{
    var cpu = ChildCpuTime.BeforeStart();
    double milliseconds;
    await using (var service = await StartWarmAsync(app))
    {
        var exited = ExitWatch.Start(service.Pid);
        await Task.Delay(100);
        cpu.Mark(service.Pid);
        var signalled = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);
        await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        milliseconds = Stopwatch.GetElapsedTime(signalled, await exited).TotalMilliseconds;
    }

    return (milliseconds, cpu.SinceMark().TotalMilliseconds);
}

// Started with its JIT listing what it compiles, left until it has compiled nothing new for 2 s (the warm-up done),
// then stopped: the methods compiled for the first time after the signal.
static async Task<IReadOnlyList<string>> CompiledAfterSigtermAsync(App app)
{
    await using var service = await StartWarmAsync(app, JitLog.Environment);
    int seen;
    do
    {
        seen = JitLog.FirstCompilations(service.Lines, 0).Count;
        await Task.Delay(TimeSpan.FromSeconds(2));
    }
    while (JitLog.FirstCompilations(service.Lines, 0).Count != seen);

    var beforeSignal = service.Lines.Count;
    service.Signal(Signals.SIGTERM);
    await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
    return JitLog.FirstCompilations(service.Lines, beforeSignal);
}

static string Median(List<int> values) => values.Order().ElementAt(values.Count / 2).ToString(CultureInfo.InvariantCulture);

// Idle exit (SIGTERM) or the teardown floor (SIGKILL): from the signal to the kernel's report of the exit.
static async Task<double> SignalToExitAsync(App dll, int signal)
{
    await using var app = await StartWarmAsync(dll);
    var exited = ExitWatch.Start(app.Pid);
    await Task.Delay(100);
    var signalled = Stopwatch.GetTimestamp();
    app.Signal(signal);
    await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
    return Stopwatch.GetElapsedTime(signalled, await exited).TotalMilliseconds;
}

static async Task<double> ExitAfterLastResponseAsync(App dll)
{
    await using var app = await StartWarmAsync(dll);
    var exited = ExitWatch.Start(app.Pid);
    using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);
    await connection.SendGetAsync("/slow");
    await Task.Delay(300);
    app.Signal(Signals.SIGTERM);
    var response = await connection.ReadResponseAsync();
    var responded = Stopwatch.GetTimestamp();
    if (response.StatusCode != 200)
    {
        throw new InvalidOperationException($"{dll}: /slow answered {response.StatusCode}");
    }

    await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
    return Stopwatch.GetElapsedTime(responded, await exited).TotalMilliseconds;
}

// Started, past its first request and then idle (its start-up JIT and any warm-up thread done, as in a service that
// has run for a while), so JIT and first-request costs are not counted as exit time.
static async Task<ServiceProcess> StartWarmAsync(App app, IReadOnlyDictionary<string, string>? environment = null)
{
    var service = await ServiceProcess.StartAsync(app.Path, ["--urls", "http://127.0.0.1:0", "--slow", "1s", .. app.Arguments], environment);
    using (var warm = await RawHttpConnection.ConnectAsync(service.BaseAddress))
    {
        await warm.SendGetAsync("/ping", "Connection: close\r\n");
        await warm.ReadResponseAsync();
    }

    await ChildCpuTime.WaitUntilIdleAsync(service.Pid);
    return service;
}

static string Stat(List<double> values)
{
    var sorted = values.Order().ToList();
    return string.Create(CultureInfo.InvariantCulture, $"{Percentile(sorted, 0.5):0.0} ({Percentile(sorted, 0.9):0.0})");
}

static string Ratio(List<double> a, List<double> b) =>
    string.Create(CultureInfo.InvariantCulture, $"{Percentile([.. a.Order()], 0.5) / Percentile([.. b.Order()], 0.5):0.00}");

static string Above(List<double> a, List<double> floor) =>
    string.Create(CultureInfo.InvariantCulture, $"{Percentile([.. a.Order()], 0.5) - Percentile([.. floor.Order()], 0.5):0.0} ms");

static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Round((sorted.Count - 1) * p)];

/// <summary>An app to stop: its name in the tables, its program (a .dll runs under dotnet) and its extra arguments.</summary>
internal sealed record App(string Name, string Path, string[] Arguments)
{
    public bool IsJit => Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>"name=path/to/app.dll --flag ...": the name up to the first '=', then the program and its arguments.</summary>
    public static App Parse(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var program = spec[(equals + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new App(spec[..equals], program[0], program[1..]);
    }
}
