using System.Diagnostics;
using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>
/// Instances of a service behind HAProxy, restarted one after the other: each gets SIGTERM, the balancer stops routing
/// to it <c>lag</c> later (as endpoint propagation would), and a fresh instance takes its port and is put back into
/// rotation. Each instance is told its port with <c>--urls http://127.0.0.1:PORT</c> after its own arguments, or,
/// when an argument contains <c>{port}</c>, by replacing that. Shared by graceful-drill, bench/Drain and the tests.
/// </summary>
public sealed class RollingRestart : IAsyncDisposable
{
    private readonly string _program;
    private readonly IReadOnlyList<string> _args;
    private readonly int[] _ports;
    private readonly ServiceProcess?[] _instances;
    private HaproxyProcess? _haproxy;

    private RollingRestart(string program, IReadOnlyList<string> args, int instances)
    {
        _program = program;
        _args = args;
        _ports = [.. Enumerable.Range(0, instances).Select(_ => FreePorts.Next())];
        _instances = new ServiceProcess?[instances];
    }

    /// <summary>Where clients go: HAProxy's frontend.</summary>
    public Uri BaseAddress => _haproxy!.BaseAddress;

    public int Instances => _instances.Length;

    /// <summary>The pid of instance <paramref name="instance"/> (0-based; HAProxy names it s1, s2, ...).</summary>
    public int Pid(int instance) => _instances[instance]!.Pid;

    /// <summary>Starts <paramref name="instances"/> instances and HAProxy in front of them.</summary>
    public static async Task<RollingRestart> StartAsync(string program, IReadOnlyList<string> args, int instances = 2)
    {
        var rolling = new RollingRestart(program, args, instances);
        try
        {
            for (var i = 0; i < instances; i++)
            {
                rolling._instances[i] = await rolling.StartInstanceAsync(i);
            }

            rolling._haproxy = await HaproxyProcess.StartAsync(FreePorts.Next(), rolling._ports);
            return rolling;
        }
        catch
        {
            await rolling.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Restarts one instance: SIGTERM, <paramref name="lag"/>, out of rotation, its exit, a fresh instance on the same
    /// port, back in rotation. <paramref name="onStep"/> hears of each step as it happens.
    /// </summary>
    public async Task RestartAsync(int instance, TimeSpan lag, Action<RestartStep>? onStep = null)
    {
        var server = $"s{instance + 1}";
        var old = _instances[instance]!;
        old.Signal(Signals.SIGTERM);
        onStep?.Invoke(new RestartStep(RestartStepKind.Signalled, server, old.Pid, Stopwatch.GetTimestamp()));
        await Task.Delay(lag);
        await _haproxy!.SetServerStateAsync(server, "maint");
        onStep?.Invoke(new RestartStep(RestartStepKind.OutOfRotation, server, old.Pid, Stopwatch.GetTimestamp()));
        var exitCode = await old.WaitForExitAsync(TimeSpan.FromSeconds(60));
        onStep?.Invoke(new RestartStep(RestartStepKind.Exited, server, old.Pid, old.ExitedAt, exitCode));
        await old.DisposeAsync();
        _instances[instance] = null;
        var fresh = await StartInstanceAsync(instance);
        _instances[instance] = fresh;
        onStep?.Invoke(new RestartStep(RestartStepKind.Started, server, fresh.Pid, Stopwatch.GetTimestamp()));
        await _haproxy.SetServerStateAsync(server, "ready");
        onStep?.Invoke(new RestartStep(RestartStepKind.InRotation, server, fresh.Pid, Stopwatch.GetTimestamp()));
    }

    /// <summary>
    /// The whole scenario with <see cref="KeepAliveLoad"/>: two instances, <paramref name="restarts"/> restarts in turn
    /// with 500 ms between them, <paramref name="clients"/> keep-alive clients pausing 10 ms between requests.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string program, IReadOnlyList<string> args, int restarts, TimeSpan lag,
        int clients = 16, TimeSpan pause = default)
    {
        await using var rolling = await StartAsync(program, args);
        using var stopLoad = new CancellationTokenSource();
        var load = KeepAliveLoad.RunAsync(rolling.BaseAddress, clients, "/ping", TimeSpan.FromMinutes(10),
            pause == default ? TimeSpan.FromMilliseconds(10) : pause, stopWhenRefused: false, cancellationToken: stopLoad.Token);
        await Task.Delay(500);
        for (var restart = 0; restart < restarts; restart++)
        {
            await rolling.RestartAsync(restart % rolling.Instances, lag);
            await Task.Delay(500);
        }

        await stopLoad.CancelAsync();
        return await load;
    }

    public async ValueTask DisposeAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            if (instance is not null)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private async Task<ServiceProcess> StartInstanceAsync(int instance)
    {
        var port = _ports[instance];
        if (!_args.Any(a => a.Contains("{port}", StringComparison.Ordinal)))
        {
            // After the instance's own arguments, so that a program run by an interpreter (dotnet app.dll) gets it too.
            return await ServiceProcess.StartAsync(_program, [.. _args, "--urls", $"http://127.0.0.1:{port}"]);
        }

        // A service that is told its port another way may not log Kestrel's line: wait until the port accepts.
        var service = await ServiceProcess.StartAsync(_program, _args.Select(a => a.Replace("{port}", $"{port}", StringComparison.Ordinal)), waitForListening: false);
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
