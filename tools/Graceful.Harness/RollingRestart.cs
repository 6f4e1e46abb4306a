using System.Diagnostics;
using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>
/// Instances of a service behind a load balancer (<see cref="BalancerSetup"/>; HAProxy with <c>http-reuse always</c>
/// by default), restarted one after the other: each gets SIGTERM; a balancer told from outside stops routing to it
/// <c>lag</c> later (as endpoint propagation would), one that probes finds out by itself; a fresh instance takes its
/// port once it has exited, and the next restart waits until the balancer's own log shows it routing there again.
/// Each instance is told its port with <c>--urls http://127.0.0.1:PORT</c> after its own arguments, or, when an
/// argument contains <c>{port}</c>, by replacing that; <c>{report}</c> in an argument becomes a fresh path for the
/// instance's shutdown report, which <see cref="RestartAsync"/> then reads. Shared by graceful-drill, bench/ and the tests.
/// </summary>
public sealed class RollingRestart : IAsyncDisposable
{
    private readonly string _program;
    private readonly IReadOnlyList<string> _args;
    private readonly int[] _ports;
    private readonly ServiceProcess?[] _instances;
    private readonly string?[] _reports;
    private readonly string _folder = Directory.CreateTempSubdirectory("graceful-rolling-").FullName;
    // Any fixed seed: what matters is that each app in a cell gets the same sequence of lags.
    private const int LagSeed = 20261130;
    private int _generation;
    private IBalancer? _balancer;
    private NewConnectionRate? _newConnections;

    private RollingRestart(string program, IReadOnlyList<string> args, int instances)
    {
        _program = program;
        _args = args;
        _ports = [.. Enumerable.Range(0, instances).Select(_ => FreePorts.Next())];
        _instances = new ServiceProcess?[instances];
        _reports = new string?[instances];
    }

    /// <summary>Where clients go: the balancer's frontend.</summary>
    public Uri BaseAddress => _balancer!.BaseAddress;

    /// <summary>The balancer, with its request log.</summary>
    public IBalancer Balancer => _balancer!;

    public int Instances => _instances.Length;

    /// <summary>The pid of instance <paramref name="instance"/> (0-based; HAProxy names it s1, s2, ..., YARP d1, d2, ...).</summary>
    public int Pid(int instance) => _instances[instance]!.Pid;

    /// <summary>The output of the running instance <paramref name="instance"/>, for diagnostics.</summary>
    public string Output(int instance) => _instances[instance]?.Output ?? "";

    /// <summary>Starts <paramref name="instances"/> instances and the balancer (<see cref="BalancerSetup.Default"/> when null) in front of them.</summary>
    public static async Task<RollingRestart> StartAsync(string program, IReadOnlyList<string> args, int instances = 2, BalancerSetup? balancer = null)
    {
        var rolling = new RollingRestart(program, args, instances);
        try
        {
            for (var i = 0; i < instances; i++)
            {
                rolling._instances[i] = await rolling.StartInstanceAsync(i);
            }

            rolling._balancer = await (balancer ?? BalancerSetup.Default).StartAsync(rolling._ports);
            rolling._newConnections = await NewConnectionRate.StartAsync(rolling._balancer);
            return rolling;
        }
        catch
        {
            await rolling.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Restarts one instance: SIGTERM; for a balancer told from outside, <paramref name="lag"/> and out of rotation; its
    /// exit; a fresh instance on the same port; back in rotation, and, when <paramref name="waitForRotation"/> is given,
    /// until the balancer has sent the fresh instance a request (at most that long). <paramref name="onStep"/> hears of
    /// each step as it happens. Returns what the balancer's log and the old instance's report say about its stop, and,
    /// when the balancer counts its connections, the new connections it opened to the other instances meanwhile.
    /// </summary>
    public async Task<RestartOutcome> RestartAsync(int instance, TimeSpan lag, Action<RestartStep>? onStep = null, TimeSpan? waitForRotation = null)
    {
        var server = $"s{instance + 1}";
        var old = _instances[instance]!;
        var oldPid = old.Pid;
        var report = _reports[instance];
        var signalledWall = DateTimeOffset.UtcNow;
        var signalled = Stopwatch.GetTimestamp();
        old.Signal(Signals.SIGTERM);
        onStep?.Invoke(new RestartStep(RestartStepKind.Signalled, server, old.Pid, signalled));
        if (_balancer!.Setup.ToldFromOutside)
        {
            await Task.Delay(lag);
            await _balancer.TakeOutAsync(instance);
            onStep?.Invoke(new RestartStep(RestartStepKind.OutOfRotation, server, old.Pid, Stopwatch.GetTimestamp()));
        }

        var exitCode = await old.WaitForExitAsync(TimeSpan.FromSeconds(60));
        onStep?.Invoke(new RestartStep(RestartStepKind.Exited, server, old.Pid, old.ExitedAt, exitCode));
        var stopTime = Stopwatch.GetElapsedTime(signalled, old.ExitedAt);
        var preStop = report is null ? null : PreStopOutcome.Read(report);
        await old.DisposeAsync();
        _instances[instance] = null;
        var fresh = await StartInstanceAsync(instance);
        _instances[instance] = fresh;
        var startedWall = DateTimeOffset.UtcNow;
        onStep?.Invoke(new RestartStep(RestartStepKind.Started, server, fresh.Pid, Stopwatch.GetTimestamp()));
        // Before it is back: from here on, new connections may go to the fresh instance as well.
        var elsewhere = await NewConnectionsElsewhereAsync(instance, signalled);
        await _balancer.PutBackAsync(instance);
        onStep?.Invoke(new RestartStep(RestartStepKind.InRotation, server, fresh.Pid, Stopwatch.GetTimestamp()));
        if (waitForRotation is { } wait)
        {
            await WaitForRotationAsync(instance, startedWall, wait);
        }

        var closedAt = preStop?.ListenerClosedAt ?? signalledWall;
        return new RestartOutcome(server, oldPid, exitCode, signalledWall, stopTime, preStop,
            _balancer.Log.LastRequestTo(instance, closedAt), _balancer.Log.CountTo(instance, closedAt, signalledWall + stopTime),
            _balancer.Log.CountErrors(signalledWall, signalledWall + stopTime + TimeSpan.FromSeconds(1)))
        {
            NewConnectionsElsewhere = elsewhere,
        };
    }

    // In mode tcp, clients keep their connections, so nothing new may reach the fresh instance for a long while: new
    // connections (closed at once) are made until the balancer's log shows one sent there.
    private async Task WaitForRotationAsync(int instance, DateTimeOffset since, TimeSpan wait)
    {
        var seen = _balancer!.Log.WaitForRequestToAsync(instance, since, wait);
        while (_balancer.Setup.Kind == BalancerKind.HaproxyTcp && !seen.IsCompleted)
        {
            using (var probe = new TcpClient())
            {
                await probe.ConnectAsync(BaseAddress.Host, BaseAddress.Port);
            }

            await Task.WhenAny(seen, Task.Delay(100));
        }

        await seen;
    }

    // From the signal to now: the clients the stop sent elsewhere have reconnected by the time the old instance exited.
    private async Task<NewConnectionPeak?> NewConnectionsElsewhereAsync(int restarted, long signalled)
    {
        if (_newConnections is null)
        {
            return null;
        }

        await _newConnections.SampleNowAsync();
        return _newConnections.Peak([.. Enumerable.Range(0, Instances).Where(i => i != restarted)], signalled, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The whole scenario with <see cref="KeepAliveLoad"/>: two instances, <paramref name="restarts"/> restarts in turn
    /// with 500 ms between them, <paramref name="clients"/> keep-alive clients pausing 10 ms between requests.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string program, IReadOnlyList<string> args, int restarts, TimeSpan lag,
        int clients = 16, TimeSpan pause = default) =>
        (await RunAsync(new RollingRun(program, args)
        {
            Restarts = restarts,
            Lag = lag,
            Clients = clients,
            Load = pause == default ? LoadShape.Paced10 : new LoadShape($"paced {pause.TotalMilliseconds} ms", pause, TimeSpan.Zero),
        })).Load;

    /// <summary>
    /// The whole scenario: <see cref="RollingRun.Instances"/> instances behind <see cref="RollingRun.Balancer"/>, the
    /// load running throughout, <see cref="RollingRun.Restarts"/> restarts in turn, each once the balancer routes to the
    /// instance restarted before (so failures belong to the stop, never to two instances out at once).
    /// </summary>
    public static async Task<RollingResult> RunAsync(RollingRun run)
    {
        await using var rolling = await StartAsync(run.Program, run.Args, run.Instances, run.Balancer);
        var counters = new LoadCounters();
        using var stopLoad = new CancellationTokenSource();
        var load = run.Load.RunAsync(rolling.BaseAddress, run.Clients, run.Path, TimeSpan.FromMinutes(30), counters, stopLoad.Token);
        var outcomes = new List<RestartOutcome>();
        try
        {
            for (var i = 0; i < rolling.Instances; i++)
            {
                await rolling.Balancer.Log.WaitForRequestToAsync(i, DateTimeOffset.MinValue, TimeSpan.FromSeconds(30));
            }

            await Task.Delay(run.Between);
            var lags = new Random(LagSeed);
            for (var restart = 0; restart < run.Restarts; restart++)
            {
                var before = counters.Snapshot();
                var lag = run.LagMax > run.Lag ? run.Lag + ((run.LagMax - run.Lag) * lags.NextDouble()) : run.Lag;
                var outcome = await rolling.RestartAsync(restart % rolling.Instances, lag, waitForRotation: TimeSpan.FromSeconds(30));
                await Task.Delay(run.Between);
                var after = counters.Snapshot();
                outcomes.Add(outcome with
                {
                    Lag = lag,
                    Load = new LoadResult(after.Ok - before.Ok, after.Lost - before.Lost, after.Refused - before.Refused, after.NonSuccess - before.NonSuccess),
                });
            }
        }
        finally
        {
            await stopLoad.CancelAsync();
        }

        return new RollingResult(await load, outcomes, rolling.Balancer.Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (_newConnections is not null)
        {
            await _newConnections.DisposeAsync();
        }

        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            if (instance is not null)
            {
                await instance.DisposeAsync();
            }
        }

        Directory.Delete(_folder, recursive: true);
    }

    private async Task<ServiceProcess> StartInstanceAsync(int instance)
    {
        var port = _ports[instance];
        var report = Path.Combine(_folder, $"s{instance + 1}-{++_generation}.json");
        _reports[instance] = _args.Any(a => a.Contains("{report}", StringComparison.Ordinal)) ? report : null;
        var args = _args.Select(a => a.Replace("{report}", report, StringComparison.Ordinal)).ToList();
        if (!args.Any(a => a.Contains("{port}", StringComparison.Ordinal)))
        {
            // After the instance's own arguments, so that a program run by an interpreter (dotnet app.dll) gets it too.
            return await ServiceProcess.StartAsync(_program, [.. args, "--urls", $"http://127.0.0.1:{port}"]);
        }

        // A service that is told its port another way may not log Kestrel's line: wait until the port accepts.
        var service = await ServiceProcess.StartAsync(_program, args.Select(a => a.Replace("{port}", $"{port}", StringComparison.Ordinal)), waitForListening: false);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return service;
            }
            catch (SocketException) when (attempt < 600 && service.ExitedAt == 0)
            {
                await Task.Delay(50);
            }
            catch
            {
                await service.DisposeAsync();
                throw new InvalidOperationException($"Instance {instance + 1} did not accept on port {port}. Output:\n{service.Output}");
            }
        }
    }
}

/// <summary>One step of <see cref="RollingRestart.RestartAsync"/>, at a <see cref="Stopwatch"/> timestamp; the exit step carries the exit code.</summary>
public sealed record RestartStep(RestartStepKind Kind, string Server, int Pid, long At, int? ExitCode = null);

/// <summary>The steps of one instance's restart, in order.</summary>
public enum RestartStepKind
{
    Signalled,
    OutOfRotation,
    Exited,
    Started,
    InRotation,
}
