namespace Graceful.Harness;

/// <summary>
/// Two instances of a service behind HAProxy under paced keep-alive load, restarted one after the other: each gets
/// SIGTERM, the balancer stops routing to it <c>lag</c> later (as endpoint propagation would), and a fresh instance
/// takes its port and is put back into rotation. Shared by bench/Drain and the tests.
/// </summary>
public static class RollingRestart
{
    public static async Task<LoadResult> RunAsync(string program, IReadOnlyList<string> args, int restarts, TimeSpan lag,
        int clients = 16, TimeSpan pause = default)
    {
        int[] ports = [FreePorts.Next(), FreePorts.Next()];
        var instances = new ServiceProcess[2];
        for (var i = 0; i < 2; i++)
        {
            instances[i] = await StartInstanceAsync(program, args, ports[i]);
        }

        try
        {
            await using var haproxy = await HaproxyProcess.StartAsync(FreePorts.Next(), ports);
            using var stopLoad = new CancellationTokenSource();
            var load = KeepAliveLoad.RunAsync(haproxy.BaseAddress, clients, "/ping", TimeSpan.FromMinutes(10),
                pause == default ? TimeSpan.FromMilliseconds(10) : pause, stopWhenRefused: false, stopLoad.Token);
            await Task.Delay(500);
            for (var restart = 0; restart < restarts; restart++)
            {
                var i = restart % 2;
                var server = $"s{i + 1}";
                instances[i].Signal(Signals.SIGTERM);
                await Task.Delay(lag);
                await haproxy.SetServerStateAsync(server, "maint");
                await instances[i].WaitForExitAsync(TimeSpan.FromSeconds(60));
                await instances[i].DisposeAsync();
                instances[i] = await StartInstanceAsync(program, args, ports[i]);
                await haproxy.SetServerStateAsync(server, "ready");
                await Task.Delay(500);
            }

            await stopLoad.CancelAsync();
            return await load;
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static Task<ServiceProcess> StartInstanceAsync(string program, IReadOnlyList<string> args, int port) =>
        ServiceProcess.StartAsync(program, ["--urls", $"http://127.0.0.1:{port}", .. args]);
}
