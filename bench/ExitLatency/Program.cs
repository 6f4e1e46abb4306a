using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;
using Graceful.TestSupport;

// Measures, side by side in one run, for each app:
//   idle:  SIGTERM with nothing in flight -> process exit
//   after: last byte of the in-flight response -> process exit (SIGTERM sent while it ran)
//   floor: SIGKILL -> process exit, the kernel's teardown of the process alone
// Exit is seen through a pidfd (ExitWatch), so the figures do not include how .NET reaps its child processes.
// Usage: ExitLatency [iterations] [name=path/to/app.dll ...]; the first app is the baseline for ratios.
// By default: the Release builds of bench/peers/BareAspNetCore and samples/SlowService.
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
string Dll(string project) => Path.Combine(RepoPaths.Root, project, "bin", "Release", "net10.0", Path.GetFileName(project) + ".dll");
var apps = args.Length > 1
    ? args.Skip(1).Select(a => (Name: a[..a.IndexOf('=', StringComparison.Ordinal)], Dll: a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..])).ToArray()
    : [("bare ASP.NET Core", Dll("bench/peers/BareAspNetCore")), ("Graceful (SlowService)", Dll("samples/SlowService"))];
var samples = apps.ToDictionary(a => a.Name, _ => new Dictionary<string, List<double>> { ["idle"] = [], ["after"] = [], ["floor"] = [] });

for (var i = 0; i < iterations; i++)
{
    foreach (var (name, dll) in apps)
    {
        samples[name]["idle"].Add(await SignalToExitAsync(dll, Signals.SIGTERM));
        samples[name]["after"].Add(await ExitAfterLastResponseAsync(dll));
        samples[name]["floor"].Add(await SignalToExitAsync(dll, Signals.SIGKILL));
    }

    Console.Error.Write('.');
}

Console.Error.WriteLine();
Console.WriteLine($"Exit latency, {iterations} runs each, interleaved; milliseconds, median (p90).");
Console.WriteLine();
Console.WriteLine("| app | SIGKILL floor | idle: SIGTERM to exit | after last response to exit |");
Console.WriteLine("|---|---|---|---|");
foreach (var (name, _) in apps)
{
    var s = samples[name];
    Console.WriteLine($"| {name} | {Stat(s["floor"])} | {Stat(s["idle"])} | {Stat(s["after"])} |");
}

Console.WriteLine();
var baseline = samples[apps[0].Name];
foreach (var (name, _) in apps)
{
    var s = samples[name];
    Console.WriteLine($"- {name}: above its SIGKILL floor (medians) idle {Above(s["idle"], s["floor"])}, after {Above(s["after"], s["floor"])}; "
        + $"ratio to {apps[0].Name}: idle {Ratio(s["idle"], baseline["idle"])}, after {Ratio(s["after"], baseline["after"])}");
}
return 0;

// Idle exit (SIGTERM) or the teardown floor (SIGKILL): from the signal to the kernel's report of the exit.
static async Task<double> SignalToExitAsync(string dll, int signal)
{
    await using var app = await StartWarmAsync(dll);
    var exited = ExitWatch.Start(app.Pid);
    await Task.Delay(100);
    var signalled = Stopwatch.GetTimestamp();
    app.Signal(signal);
    await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
    return Stopwatch.GetElapsedTime(signalled, await exited).TotalMilliseconds;
}

static async Task<double> ExitAfterLastResponseAsync(string dll)
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

// Started and past its first request, so JIT and first-request costs are not counted as exit time.
static async Task<ServiceProcess> StartWarmAsync(string app)
{
    var service = await ServiceProcess.StartAsync(app, ["--urls", "http://127.0.0.1:0", "--slow", "1s"]);
    using (var warm = await RawHttpConnection.ConnectAsync(service.BaseAddress))
    {
        await warm.SendGetAsync("/ping", "Connection: close\r\n");
        await warm.ReadResponseAsync();
    }

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
