using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;

/// <summary>
/// Exit after SIGTERM with many open streams (WebSockets or server-sent events), beside the SIGKILL floor with the
/// same streams, apps interleaved round by round; with both processes' CPU time, since clients and server share the
/// machine's cores, and how the streams ended.
/// </summary>
internal static class StreamExits
{
    private const string WarmPrefix = "warm:";

    public static async Task PrintTableAsync(string kind, int streams, int rounds, (string Name, string Program)[] apps)
    {
        Console.WriteLine((kind == "websockets"
            ? $"Exit after SIGTERM with {streams} open WebSockets (/ws) whose clients answer the server's close at once"
            : $"Exit after SIGTERM with {streams} open server-sent-event streams (/events) read by HttpClient") +
            ", signalled once the server is quiet, beside the same app with the same streams killed with SIGKILL; " +
            $"{rounds} rounds, apps interleaved, milliseconds (medians). CPU: from the signal to the exit, user + system; " +
            "the server's from /proc, to 10 ms. Clean: a 1001 close answered, or the event stream's last chunk.");
        Console.WriteLine();
        Console.WriteLine("| server | SIGKILL floor | SIGTERM to exit | max | above the floor | server CPU | clients' CPU | clean / cut |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var samples = apps.ToDictionary(a => a.Name, _ => (Term: new List<ExitSample>(), Kill: new List<ExitSample>()));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, program) in apps)
            {
                samples[name].Term.Add(await ExitAsync(kind, program, streams, Signals.SIGTERM));
                samples[name].Kill.Add(await ExitAsync(kind, program, streams, Signals.SIGKILL));
            }
        }

        foreach (var (name, _) in apps)
        {
            var (term, kill) = samples[name];
            var exit = Statistics.Median(term.Select(s => s.ExitMs));
            var floor = Statistics.Median(kill.Select(s => s.ExitMs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {floor:0.0} | {exit:0.0} | {term.Max(s => s.ExitMs):0.0} | {exit - floor:0.0} | " +
                $"{Statistics.Median(term.Select(s => s.ServerCpuMs)):0} | {Statistics.Median(term.Select(s => s.ClientCpuMs)):0} | " +
                $"{term.Sum(s => s.Clean)} / {term.Sum(s => s.Cut)} |"));
        }
    }

    // A program may carry its own arguments ("app.dll --graceful"); "warm:" before it first has 1,000 clients open
    // and leave streams of the same kind, so the server's paths for them are compiled as in one that has served a while.
    private static async Task<ExitSample> ExitAsync(string kind, string program, int streams, int signal)
    {
        var warm = program.StartsWith(WarmPrefix, StringComparison.Ordinal);
        var parts = program[(warm ? WarmPrefix.Length : 0)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await using var app = await ServiceProcess.StartAsync(parts[0], [.. parts[1..], "--urls", "http://127.0.0.1:0"]);
        var exited = ExitWatch.Start(app.Pid);
        if (warm)
        {
            await using var leaving = await HeldStreams.OpenAsync(kind, app.BaseAddress, 1000);
            await leaving.LeaveAsync();
        }

        await using var held = await HeldStreams.OpenAsync(kind, app.BaseAddress, streams);
        await ChildCpuTime.WaitUntilIdleAsync(app.Pid);

        var serverCpu = ChildCpuTime.BeforeStart();
        serverCpu.Mark(app.Pid);
        var clientCpu = Environment.CpuUsage.TotalTime;
        var signalled = Stopwatch.GetTimestamp();
        app.Signal(signal);
        await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var exitMs = Stopwatch.GetElapsedTime(signalled, await exited).TotalMilliseconds;
        var clientCpuMs = (Environment.CpuUsage.TotalTime - clientCpu).TotalMilliseconds;
        await Task.WhenAny(held.AllEnded, Task.Delay(TimeSpan.FromSeconds(10)));
        var serverCpuMs = serverCpu.SinceMark().TotalMilliseconds;
        return new ExitSample(exitMs, serverCpuMs, clientCpuMs, held.Clean, held.Cut);
    }

    private sealed record ExitSample(double ExitMs, double ServerCpuMs, double ClientCpuMs, int Clean, int Cut);
}
