using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Graceful.Harness;
using Graceful.TestSupport;

namespace Upgrade;

internal sealed record Settings(int Upgrades, int Clients, TimeSpan Gap, TimeSpan Timeout);

/// <summary>One upgrade: times from its SIGHUP, and the requests lost from its SIGHUP to the next one's.</summary>
internal sealed record UpgradeSample(double? SwitchoverMs, double? OldExitMs, int Lost, string? Failure)
{
    public bool Ok => Failure is null;
}

internal sealed record AppResult(string Label, IReadOnlyList<UpgradeSample> Upgrades, LoadResult Load, bool LastPidServes, string? Problem);

/// <summary>
/// One app's run: start it, put busy keep-alive load on it, upgrade it in place again and again (SIGHUP to the pid
/// the pid file names, then wait for a new pid there and for the old process to exit), check that the last process
/// serves, stop it. Processes started by an upgrade are the old process's children, not ours: they are followed
/// through the pid file, watched through pidfds, and adopted by this process as the subreaper when orphaned.
/// </summary>
internal static class UpgradeRun
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private const int MaxFailuresInARow = 3;

    public static async Task<AppResult> RunAsync(AppCommand app, Settings settings, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("graceful-upgrade-");
        var pidFile = Path.Combine(dir.FullName, "server.pid");
        var port = FreePorts.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var seen = new HashSet<int>();
        ServiceProcess? first = null;
        try
        {
            first = await ServiceProcess.StartAsync(app.Program, app.ArgumentsFor(port, pidFile), waitForListening: false);
            seen.Add(first.Pid);
            var current = await WaitUntilServingAsync(first, pidFile, baseAddress);
            seen.Add(current);

            var counters = new LoadCounters();
            using var stopLoad = new CancellationTokenSource();
            var load = KeepAliveLoad.RunAsync(baseAddress, settings.Clients, "/ping", Timeout.InfiniteTimeSpan,
                stopWhenRefused: false, cancellationToken: stopLoad.Token, counters: counters);
            await Task.Delay(500, cancellationToken); // every client connected and busy before the first SIGHUP

            var samples = new List<UpgradeSample>();
            string? problem = null;
            var lostBefore = counters.Snapshot().Lost;
            var failuresInARow = 0;
            for (var i = 0; i < settings.Upgrades; i++)
            {
                var (sample, next) = await UpgradeOnceAsync(current, first.Pid, pidFile, settings.Timeout, cancellationToken);
                await Task.Delay(settings.Gap, cancellationToken);
                var lostNow = counters.Snapshot().Lost;
                samples.Add(sample with { Lost = lostNow - lostBefore });
                lostBefore = lostNow;
                Console.Error.Write(sample.Ok ? "." : $"\n{app.Label}: upgrade {i + 1} failed: {sample.Failure}\n");

                if (next is int pid)
                {
                    seen.Add(pid);
                    current = pid;
                }
                else if (!IsAlive(current))
                {
                    problem = $"no process serves after upgrade {i + 1}; {settings.Upgrades - i - 1} upgrades not run";
                    break;
                }

                failuresInARow = sample.Ok ? 0 : failuresInARow + 1;
                if (failuresInARow == MaxFailuresInARow)
                {
                    problem = $"stopped after {MaxFailuresInARow} failed upgrades in a row; {settings.Upgrades - i - 1} upgrades not run";
                    break;
                }
            }

            Console.Error.WriteLine();
            var served = await TryGetAsync(baseAddress, "/pid", TimeSpan.FromSeconds(5));
            var lastPidServes = served?.Body.Trim() == current.ToString(CultureInfo.InvariantCulture);

            await stopLoad.CancelAsync();
            LoadResult result;
            try
            {
                result = await load.WaitAsync(StopTimeout, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                // A client waits for a response without a timeout: one stuck on a hung process ends when it is killed.
                result = counters.Snapshot();
                problem ??= $"the load did not stop within {StopTimeout.TotalSeconds} s";
            }

            if (!await StopAsync(current, first.Pid))
            {
                problem ??= $"the last process ({current}) did not exit within {StopTimeout.TotalSeconds} s of SIGTERM";
            }

            return new AppResult(app.Label, samples, result, lastPidServes, problem);
        }
        finally
        {
            KillSurvivors(seen);
            if (first is not null)
            {
                // Disposal waits for the output pipe's EOF, which every upgraded process held open: bounded all the same.
                await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            dir.Delete(recursive: true);
        }
    }

    /// <summary>SIGHUP to <paramref name="pid"/>; returns how it went and the new pid, if the pid file named one in time.</summary>
    private static async Task<(UpgradeSample Sample, int? NewPid)> UpgradeOnceAsync(int pid, int childPid, string pidFile, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        Task<long> exited;
        var signalled = Stopwatch.GetTimestamp();
        try
        {
            exited = ExitWatch.Start(pid);
            signalled = Stopwatch.GetTimestamp();
            Signals.Send(pid, Signals.SIGHUP);
        }
        catch (InvalidOperationException e)
        {
            return (new UpgradeSample(null, null, 0, $"process {pid} is gone: {e.Message}"), null);
        }

        var switched = await PidFileWatch.WaitForChangeAsync(pidFile, pid, timeout, cancellationToken);
        long? exitedAt = exited.IsCompleted ? await exited : null;
        if (switched is not null && exitedAt is null)
        {
            try
            {
                exitedAt = await exited.WaitAsync(Remaining(signalled, timeout), cancellationToken);
            }
            catch (TimeoutException)
            {
                // Counted as failed below. Kill it: tableflip, for one, refuses the next upgrade while the old process lives.
                await KillAsync(pid, exited);
            }
        }

        Reap(pid, childPid);
        var failure = (switched, exitedAt) switch
        {
            (null, null) => $"no new pid in the pid file {timeout.TotalSeconds} s after SIGHUP; process {pid} still serves",
            (null, _) => $"process {pid} exited but no new pid in the pid file {timeout.TotalSeconds} s after SIGHUP",
            (_, null) => $"process {pid} still running {timeout.TotalSeconds} s after SIGHUP (killed)",
            _ => null,
        };
        return (new UpgradeSample(Milliseconds(signalled, switched?.SeenAt), Milliseconds(signalled, exitedAt), 0, failure), switched?.Pid);
    }

    private static async Task<int> WaitUntilServingAsync(ServiceProcess first, string pidFile, Uri baseAddress)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        var exited = ExitWatch.Start(first.Pid);
        var written = PidFileWatch.WaitForChangeAsync(pidFile, previous: null, StartTimeout);
        if (await Task.WhenAny(written, exited) == exited)
        {
            await Task.Delay(200); // the last lines of its output
            throw new InvalidOperationException($"It exited before writing the pid file. Output:\n{first.Output}");
        }

        var named = await written ?? throw new TimeoutException($"No pid file within {StartTimeout.TotalSeconds} s. Output:\n{first.Output}");
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if ((await TryGetAsync(baseAddress, "/ping", TimeSpan.FromSeconds(2)))?.StatusCode == 200)
            {
                return named.Pid;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"GET /ping not answered within {StartTimeout.TotalSeconds} s. Output:\n{first.Output}");
    }

    /// <summary>SIGTERM and wait for the exit; false when it did not come in time (the caller's clean-up kills it).</summary>
    private static async Task<bool> StopAsync(int pid, int childPid)
    {
        try
        {
            var exited = ExitWatch.Start(pid);
            Signals.Send(pid, Signals.SIGTERM);
            await exited.WaitAsync(StopTimeout, CancellationToken.None);
            Reap(pid, childPid);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task KillAsync(int pid, Task<long> exited)
    {
        try
        {
            Signals.Send(pid, Signals.SIGKILL);
            await exited.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or stuck in the kernel: the final clean-up tries again.
        }
    }

    private static async Task<RawHttpResponse?> TryGetAsync(Uri baseAddress, string path, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var connection = await RawHttpConnection.ConnectAsync(baseAddress, cts.Token);
            await connection.SendGetAsync(path);
            return await connection.ReadResponseAsync(cts.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Kills whatever is left: processes the pid file named, and orphans this process adopted.</summary>
    private static void KillSurvivors(IEnumerable<int> seen)
    {
        foreach (var pid in seen.Union(Subreaper.Children()).Where(IsAlive))
        {
            try
            {
                Signals.Send(pid, Signals.SIGKILL);
            }
            catch (InvalidOperationException)
            {
                // Exited in the meantime.
            }
        }
    }

    // The first process is a .NET Process child, which .NET reaps itself; the others were adopted as orphans.
    private static void Reap(int pid, int childPid)
    {
        if (pid != childPid)
        {
            Subreaper.Reap(pid);
        }
    }

    /// <summary>Alive and not a zombie (a zombie has a /proc entry with state Z).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static TimeSpan Remaining(long since, TimeSpan timeout)
    {
        var left = timeout - Stopwatch.GetElapsedTime(since);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static double? Milliseconds(long from, long? to) => to is long t ? Stopwatch.GetElapsedTime(from, t).TotalMilliseconds : null;
}
